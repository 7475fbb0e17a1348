/**
 * Single sign-on with an OpenID Connect provider: its settings ({@link dev.portcullis.sso.SsoConfig}), the links from
 * provider identities to portal accounts, and the single-use ids that stop replays.
 */
package dev.portcullis.sso;
