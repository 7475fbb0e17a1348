package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The blocked-cookie check: {@code GET} of the login page sets the cookie-check cookie; a {@code POST} of the login
 * form without it gets a plain {@code 400} saying that the browser blocks cookies (and {@code authn_login_fail}),
 * before anything else is asked of the form. Runs before the CSRF stage: a browser that blocks cookies has no session,
 * so it would otherwise only ever see "this form has expired".
 */
final class CookieCheckStage implements Stage {
  static final String COOKIES_BLOCKED = "Your browser is blocking cookies, so you cannot log in. "
      + "Allow cookies for this site, then go back to the login page and try again.";

  private final CookieSpec cookie;
  private final String loginPath;
  private final AuditTrail audit;

  CookieCheckStage(CookieSpec cookie, String loginPath, AuditTrail audit) {
    this.cookie = cookie;
    this.loginPath = loginPath;
    this.audit = audit;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    if (Paths.path(exchange).equals(loginPath)) {
      if (exchange.method().equals("GET")) {
        exchange.setCookie(SetCookie.set(cookie, "1"));
      } else if (exchange.method().equals("POST") && !Cookies.has(exchange, cookie.name())) {
        audit.emit(exchange, AuditEventType.AUTHN_LOGIN_FAIL, b -> b.failure("browser blocks cookies"));
        Pages.plain(exchange.response(), HttpServletResponse.SC_BAD_REQUEST, COOKIES_BLOCKED);
        return;
      }
    }
    next.proceed();
  }
}
