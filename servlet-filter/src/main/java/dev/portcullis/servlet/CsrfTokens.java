package dev.portcullis.servlet;

import dev.portcullis.login.LoginFormTokens;
import dev.portcullis.login.internal.CsrfToken;
import dev.portcullis.session.Session;
import java.security.SecureRandom;

/**
 * The synchronizer token of a session: kept in the session under {@value #SESSION_ATTRIBUTE}, offered to the
 * application as {@link PortcullisFilter#CSRF_TOKEN_ATTRIBUTE}, presented in the form field {@value #FIELD} or the
 * header {@value #HEADER}. The CSRF stage checks it; a login gives the session a new one. A request nobody is logged
 * in to may instead bring the form token of its cookie-check cookie ({@link LoginFormTokens}).
 */
final class CsrfTokens {
  static final String FIELD = "_csrf";
  static final String HEADER = "X-CSRF-Token";
  static final String SESSION_ATTRIBUTE = "portcullis.csrf";

  private CsrfTokens() {}

  /** The session's token, made now if it has none. */
  static String tokenFor(Session session, SecureRandom random) {
    Object t = session.getAttribute(SESSION_ATTRIBUTE);
    if (t instanceof String s) {
      return s;
    }
    String fresh = CsrfToken.generate(random);
    session.setAttribute(SESSION_ATTRIBUTE, fresh);
    return fresh;
  }

  /** Gives the session a new token (after a login, so that no token from before it works). */
  static void renew(Session session, SecureRandom random) {
    session.setAttribute(SESSION_ATTRIBUTE, CsrfToken.generate(random));
  }

  /**
   * Why the request's token matches neither the session's nor, for a request nobody is logged in to, the form token
   * of its cookie-check cookie; null when it matches. The token comes from the header, or else from the form body;
   * never from the query string.
   */
  static String mismatch(Exchange exchange, LoginFormTokens formTokens) {
    // A session withheld from the request still names the browser that the site gave its token.
    Session session = exchange.sessions().sessionOrWithheld();
    Object expected = session == null ? null : session.getAttribute(SESSION_ATTRIBUTE);
    String header = exchange.original().getHeader(HEADER);
    String presented = header != null ? header : FormFields.fromBody(exchange, FIELD);
    if (expected instanceof String e && CsrfToken.matches(e, presented)) {
      return null;
    }
    String cookieValue = exchange.cookieCheckValue();
    if (exchange.principal() == null && formTokens.matches(cookieValue, presented)) {
      return null;
    }
    if (presented == null) {
      return "no CSRF token";
    }
    return session == null && cookieValue == null
        ? "no session or cookie-check cookie"
        : "CSRF token mismatch";
  }
}
