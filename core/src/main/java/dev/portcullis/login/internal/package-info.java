/**
 * CSRF token generation and comparison for the servlet filter. Internal: not part of the supported API, used by other
 * Portcullis modules only, and may change in any release.
 */
package dev.portcullis.login.internal;
