package dev.portcullis.servlet;

import dev.portcullis.user.PortalUser;

/**
 * Hears that a user has just logged in during a request, after the session was rotated, the auth cookie queued and
 * the login recorded: the hook through which single sign-on offers its upgrade cookie after a password login, without
 * the login stage knowing about single sign-on.
 */
interface LoginListener {

  /** How the user logged in. */
  enum Kind {
    /** The login form. */
    PASSWORD,
    /** The replaced portal's login cookie. */
    LEGACY_COOKIE,
    /** A linked single-sign-on identity. */
    SSO
  }

  /** Called once per login, on the request's thread; must not throw and must not write the response body. */
  void loggedIn(Exchange exchange, PortalUser user, Kind kind);
}
