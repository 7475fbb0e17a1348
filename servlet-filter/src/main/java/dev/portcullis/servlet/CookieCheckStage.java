package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginFormTokens;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;

/**
 * The blocked-cookie check, and the value anonymous form tokens are bound to. {@code GET} of the login page sets the
 * cookie-check cookie to 32 random bytes, unless the browser already holds a well-formed one (two open login pages
 * keep working); a {@code POST} of the login form without it, and without any other cookie, gets a plain {@code 400}
 * saying that the browser blocks cookies (and {@code authn_login_fail}), before anything else is asked of the form. A
 * login expires the cookie ({@link LoginEffects}), so a form left open from before then is refused by the CSRF stage.
 * On every request the browser's well-formed value (exactly one cookie) is put on the exchange, where the CSRF stage
 * binds the token of a request without a session to it ({@link LoginFormTokens}). Runs before the CSRF stage: a browser that blocks cookies would
 * otherwise only ever see "this form has expired". No server-side session is made here.
 *
 * <p>When the session cookie does the check, the cookie is the session cookie and the value a session id: the login
 * page gives a browser without a well-formed one a fresh id that names no stored session, through the request's
 * {@link SessionState} (which then keeps such an id in the browser instead of dropping it as unknown).
 */
final class CookieCheckStage extends Stage {
  static final String COOKIES_BLOCKED = "Your browser is blocking cookies, so you cannot log in. "
      + "Allow cookies for this site, then go back to the login page and try again.";

  private final CookieSpec cookie;
  private final boolean sessionCookie;
  private final SetCookie header;
  private final LoginFormTokens formTokens;
  private final String loginPath;
  private final SecureRandom random;
  private final AuditTrail audit;

  CookieCheckStage(
      CookieSpec cookie,
      boolean sessionCookie,
      LoginFormTokens formTokens,
      String loginPath,
      SecureRandom random,
      AuditTrail audit) {
    this.cookie = cookie;
    this.sessionCookie = sessionCookie;
    this.header = SetCookie.of(cookie);
    this.formTokens = formTokens;
    this.loginPath = loginPath;
    this.random = random;
    this.audit = audit;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    if (!Paths.path(exchange).equals(loginPath)) {
      // Elsewhere the value only matters to a request without a session: read it if asked.
      exchange.cookieCheckValueFromRequest(cookie.name(), formTokens);
      next.proceed();
      return;
    }
    Cookies cookies = exchange.requestCookies();
    String value = Cookies.wellFormedSingle(cookies, cookie.name(), formTokens);
    if (exchange.method().equals("GET")) {
      // The page shows a form token bound to this browser's cookie: no cache may keep it.
      exchange.notToBeStored();
      if (sessionCookie && exchange.sessions().boundSessionEnded()) {
        // The cookie named a session bound to a user that this request ended, and goes out
        // expired: the form token is bound to a new value instead.
        value = null;
      }
      if (value == null) {
        value = formTokens.newCookieValue(random);
        if (sessionCookie) {
          exchange.sessions().giveUnstoredId(value);
        } else {
          exchange.setCookie(header.set(value));
        }
      }
    } else if (exchange.method().equals("POST") && cookies.isEmpty()) {
      // A browser that blocks cookies sends none. One that sends others has dropped this one at
      // a login (a second login form, open from before it): the CSRF stage refuses its token.
      audit.emit(
          exchange, AuditEventType.AUTHN_LOGIN_FAIL, b -> b.failure("browser blocks cookies"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_BAD_REQUEST, COOKIES_BLOCKED);
      return;
    }
    exchange.cookieCheckValue(value);
    next.proceed();
  }
}
