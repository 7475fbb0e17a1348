/**
 * The sealed, single-use SSO-upgrade tokens. Internal: not part of the supported API, used by other Portcullis modules
 * only, and may change in any release.
 */
package dev.portcullis.sso.internal;
