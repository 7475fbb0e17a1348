/**
 * Server-side sessions: the session cookie carries only a random id ({@link dev.portcullis.session.SessionConfig}), the
 * state lives in a {@link dev.portcullis.session.SessionStore}, and {@link dev.portcullis.session.SessionRegistry}
 * opens, renews, rotates and ends sessions.
 */
package dev.portcullis.session;
