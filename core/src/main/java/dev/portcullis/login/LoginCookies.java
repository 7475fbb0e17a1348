package dev.portcullis.login;

import dev.portcullis.cookie.CookieSpec;
import java.util.Objects;

/**
 * The two cookies of logging in: the auth-key cookie that says the browser is logged in, and the cookie-check cookie
 * that the login page sets and the login form requires (a browser that blocks cookies is told so before it tries to
 * log in). The cookie-check cookie holds a random value to which the anti-forgery token of a visitor without a
 * session is bound ({@link LoginFormTokens}), so the login page needs no server-side session.
 *
 * @param authCookie the auth-key cookie; session-scoped
 * @param cookieCheckCookie the cookie-check cookie
 */
public record LoginCookies(CookieSpec authCookie, CookieSpec cookieCheckCookie) {
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
    if (authCookie.name().equals(cookieCheckCookie.name())) {
      throw new IllegalStateException("the auth and cookie-check cookies need two names");
    }
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
        .duration("Until you close the browser")
        .build();
  }
}
