package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.CsrfToken;
import dev.portcullis.login.LoginResult;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.Session;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;

/**
 * The login, logout and "log out everywhere" endpoints.
 *
 * <ul>
 *   <li>{@code GET login}: sets the cookie-check cookie, makes sure a session with a CSRF token exists, and lets the
 *       application render its form (fields {@code username}, {@code password}, {@code acceptTerms=yes},
 *       {@code _csrf}, optional {@code returnTo}).
 *   <li>{@code POST login}: no cookie-check cookie → 400 with a plain "your browser is blocking cookies" message;
 *       then CSRF, throttle, credentials, account rules and terms; on success the session id is rotated, the auth
 *       cookie issued and the browser sent (303) to a relative {@code returnTo} or the default page; on failure 303
 *       back to the login page with {@code error=1}.
 *   <li>{@code POST logout}: revokes the ticket, ends the session, expires every Portcullis cookie with the
 *       attributes it was set with, sends {@code Clear-Site-Data: "cookies"}, 303 to the login page.
 *   <li>{@code POST logout-everywhere}: as logout, and every other ticket and session of the user ends too.
 * </ul>
 */
final class AccountStage implements Stage {
  static final String COOKIES_BLOCKED = "Your browser is blocking cookies, so you cannot log in. "
      + "Allow cookies for this site, then go back to the login page and try again.";

  private final PortalLogin login;
  private final SecureRandom random;
  private final AuditTrail audit;
  private final List<CookieSpec> allCookies;
  private final SsoStage sso;

  /** @param sso offers the SSO-upgrade cookie after a local login; null without SSO */
  AccountStage(PortalLogin login, SecureRandom random, AuditTrail audit, List<CookieSpec> allCookies, SsoStage sso) {
    this.login = login;
    this.random = random;
    this.audit = audit;
    this.allCookies = List.copyOf(allCookies);
    this.sso = sso;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    String path = Paths.path(exchange);
    String method = exchange.original().getMethod().toUpperCase(Locale.ROOT);
    if (path.equals(login.loginPath())) {
      if (method.equals("POST")) {
        login(exchange);
        return;
      }
      if (method.equals("GET")) {
        exchange.setCookie(SetCookie.set(login.cookieCheckCookie(), "1"));
        Session session = exchange.sessions().session(true);
        exchange.request().setAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE, CsrfStage.tokenFor(session, random));
      }
    } else if (method.equals("POST") && path.equals(login.logoutPath())) {
      logout(exchange, false);
      return;
    } else if (method.equals("POST") && path.equals(login.logoutEverywherePath())) {
      logout(exchange, true);
      return;
    }
    next.proceed();
  }

  private void login(Exchange exchange) throws IOException {
    if (!Cookies.has(exchange, login.cookieCheckCookie().name())) {
      audit.emit(exchange, AuditEventType.AUTHN_LOGIN_FAIL, b -> b.failure("browser blocks cookies"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_BAD_REQUEST, COOKIES_BLOCKED);
      return;
    }
    if (!CsrfStage.check(exchange, random, audit)) {
      return;
    }
    var req = exchange.request();
    String username = req.getParameter("username");
    String password = req.getParameter("password");
    boolean acceptsTerms = "yes".equals(req.getParameter("acceptTerms"));
    String returnTo = req.getParameter("returnTo");
    if (username == null || password == null || username.isBlank() || username.length() > 256
        || password.length() > 1024) {
      audit.emit(exchange, AuditEventType.AUTHN_LOGIN_FAIL, b -> b.failure("missing or oversized credentials"));
      backToLogin(exchange, returnTo);
      return;
    }
    LoginResult result = login.login(username, password.toCharArray(), acceptsTerms, exchange.client().address());
    if (result instanceof LoginResult.Refused refused) {
      AuditEventType type = refused.reason() == LoginResult.Reason.THROTTLED
          ? AuditEventType.AUTHN_LOGIN_LOCK : AuditEventType.AUTHN_LOGIN_FAIL;
      PortalUser known = refused.user().orElse(null);
      audit.emit(exchange, type, known == null ? null : known.handle(), known == null ? null : known.organisation(),
          b -> b.failure(refused.reason().name()));
      backToLogin(exchange, returnTo);
      return;
    }
    LoginResult.Success ok = (LoginResult.Success) result;
    startLogin(exchange, login, random, ok.user());
    if (ok.acceptedTermsNow()) {
      audit.emit(exchange, AuditEventType.TERMS_ACCEPTED, b -> b.reason("terms version " + login.termsVersion()));
    }
    audit.emit(exchange, AuditEventType.AUTHN_LOGIN_SUCCESS, b -> { });
    if (sso != null) {
      sso.offer(exchange, ok.user());
    }
    Pages.seeOther(exchange, PortalLogin.isSafeRedirect(returnTo) ? returnTo : login.afterLoginPath());
  }

  /**
   * Makes {@code user}, whom the caller has already checked, the request's logged-in user: the session (created if
   * absent) gets a new id, the user's handle and a fresh CSRF token; the auth cookie is issued for the new id and the
   * principal set. Shared by the login endpoint and the legacy-cookie upgrade, so both log in the same way.
   */
  static void startLogin(Exchange exchange, PortalLogin login, SecureRandom random, PortalUser user) {
    SessionState sessions = exchange.sessions();
    // The handle first, so the rotation's session_renewed event names the user; the old id dies with the rotation.
    sessions.session(true).setUserHandle(user.handle());
    sessions.changeId();
    Session session = sessions.session(false);
    PortalLogin.IssuedTicket issued = login.issue(user, session.id().cookieValue());
    session.setAttribute(CsrfStage.SESSION_ATTRIBUTE, CsrfToken.generate(random));
    exchange.setCookie(SetCookie.set(login.authCookie(), issued.cookieValue()));
    exchange.principal(new PortalPrincipal(user, issued.ticket()));
  }

  private void backToLogin(Exchange exchange, String returnTo) throws IOException {
    String query = "?error=1";
    if (PortalLogin.isSafeRedirect(returnTo)) {
      query += "&returnTo=" + URLEncoder.encode(returnTo, StandardCharsets.UTF_8);
    }
    Pages.seeOther(exchange, login.loginPath() + query);
  }

  private void logout(Exchange exchange, boolean everywhere) throws IOException {
    if (!CsrfStage.check(exchange, random, audit)) {
      return;
    }
    PortalPrincipal principal = exchange.principal();
    String failure = null;
    if (principal != null) {
      try {
        login.revoke(principal.ticket());
        if (everywhere) {
          login.revokeAll(principal.getName());
          exchange.sessions().deleteByUser(principal.getName());
        }
      } catch (RuntimeException e) {
        failure = e.getClass().getSimpleName();
      }
    }
    Session session = exchange.sessions().session(false);
    if (session != null) {
      exchange.sessions().invalidate(session);
    }
    for (CookieSpec spec : allCookies) {
      exchange.setCookie(SetCookie.expire(spec));
    }
    exchange.response().setHeader("Clear-Site-Data", "\"cookies\"");
    if (principal != null) {
      String why = failure;
      audit.emit(exchange, everywhere ? AuditEventType.SESSION_REVOKED : AuditEventType.LOGOUT, b -> {
        b.action(everywhere ? "logout_everywhere" : "logout");
        if (why != null) {
          b.failure("revocation store failed: " + why);
        }
      });
    }
    exchange.principal(null);
    Pages.seeOther(exchange, login.loginPath());
  }
}
