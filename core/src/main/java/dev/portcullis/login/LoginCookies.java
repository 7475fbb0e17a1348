package dev.portcullis.login;

import dev.portcullis.cookie.CookieSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * The cookies of logging in: the auth-key cookie that says the browser is logged in, and the cookie the blocked-cookie
 * check uses. By default that is a cookie-check cookie of its own, which the login page sets and the login form
 * requires (a browser that blocks cookies is told so before it tries to log in); it holds a random value to which the
 * anti-forgery token of a visitor without a session is bound ({@link LoginFormTokens}), so the login page needs no
 * server-side session. A login removes it: a logged-in browser's forms are bound to its session, and the login page
 * sets a fresh one when it is needed again.
 *
 * <p>A portal that must set no cookie beyond its session and auth cookies (a ported portal whose privacy notice lists
 * exactly those) lets the session cookie do that check instead ({@link PortalLogin.Builder#cookieCheckBySessionCookie()}):
 * then {@link #cookieCheckCookie()} is empty, the login page gives a browser without a session cookie a fresh session
 * id that names no stored session, and the login form's token is bound to that id.
 *
 * @param authCookie the auth-key cookie; session-scoped
 * @param cookieCheckCookie the separate cookie-check cookie, or empty when the session cookie does the check
 */
public record LoginCookies(CookieSpec authCookie, Optional<CookieSpec> cookieCheckCookie) {
  /** The default auth cookie's name: {@code __Host-portcullis-auth}. */
  public static final String DEFAULT_AUTH_COOKIE = "__Host-portcullis-auth";
  /** The default cookie-check cookie's name: {@code __Host-portcullis-cc}. */
  public static final String DEFAULT_COOKIE_CHECK_COOKIE = "__Host-portcullis-cc";

  /**
   * Checks the pair.
   *
   * @throws IllegalStateException when the auth cookie has a {@code Max-Age} or both cookies have one name
   */
  public LoginCookies {
    Objects.requireNonNull(authCookie, "authCookie");
    Objects.requireNonNull(cookieCheckCookie, "cookieCheckCookie");
    if (authCookie.maxAge().isPresent()) {
      throw new IllegalStateException("the auth cookie must be session-scoped (no Max-Age)");
    }
    if (cookieCheckCookie.filter(c -> c.name().equals(authCookie.name())).isPresent()) {
      throw new IllegalStateException("the auth and cookie-check cookies need two names");
    }
  }

  /** True when the session cookie does the blocked-cookie check and there is no separate cookie-check cookie. */
  public boolean cookieCheckBySessionCookie() {
    return cookieCheckCookie.isEmpty();
  }

  /**
   * The auth cookie as declared by default, named {@code name}: session-scoped, with its cookie-notice text. An
   * adapter that changes some attributes starts from this one.
   */
  public static CookieSpec defaultAuthCookie(String name) {
    return CookieSpec.builder(name)
        .purpose("Says that this browser is logged in; encrypted, so only the portal can read it")
        .dataStored(
            "An encrypted authentication key: an opaque account reference, times and a session binding;"
                + " no personal data")
        .duration("Until you log out or close the browser")
        .build();
  }

  /** The cookie-check cookie as declared by default, named {@code name}. */
  public static CookieSpec defaultCookieCheckCookie(String name) {
    return CookieSpec.builder(name)
        .purpose(
            "Checks that the browser accepts cookies before a login is attempted, and ties the login form to"
                + " this browser against forgery")
        .dataStored("A random value; no personal data")
        .duration("Until you log in or close the browser")
        .build();
  }
}
