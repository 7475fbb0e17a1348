/**
 * Every login decision: password, legacy-upgrade and single-sign-on logins, logout, and the per-request check of the
 * auth cookie ({@link dev.portcullis.login.PortalLogin}), each returning a sealed result; the login throttle, the
 * terms of use, and safe redirects after login.
 */
package dev.portcullis.login;
