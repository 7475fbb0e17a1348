/**
 * CSRF token generation and comparison, and the web origins the CSRF check compares, for the servlet filter; the
 * argument checks every login-attempt store shares. Internal: not part of the supported API, used by other Portcullis
 * modules only, and may change in any release.
 */
package dev.portcullis.login.internal;
