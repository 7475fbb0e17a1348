package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.Session;
import jakarta.servlet.ServletException;
import java.io.IOException;

/**
 * Asks {@link PortalLogin#check} who the auth-key cookie says is logged in (unless the session stage has already
 * asked, together with the session lookup), and makes the request authenticated when it says so. Any refusal leaves
 * the request anonymous, clears the cookie in the browser and records the core's note in the audit log; it never
 * produces an error page. When a store did not answer (the session's or the revocation store) the request is
 * anonymous too, but the cookie stays, so that the login works again when the store answers.
 */
final class AuthenticationStage extends Stage {
  private final PortalLogin login;
  private final CookieSpec authCookie;
  private final SetCookie authCookieHeader;
  private final AuditTrail audit;

  AuthenticationStage(PortalLogin login, AuditTrail audit) {
    this.login = login;
    this.authCookie = login.cookies().authCookie();
    this.authCookieHeader = SetCookie.of(authCookie);
    this.audit = audit;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    SessionState sessions = exchange.sessions();
    if (sessions.requestedSessionUnavailable()) {
      // Fail closed for this request; the session store has logged the outage. Whatever the
      // session stage found with the session lookup is not used: the cookie stays, nothing is
      // audited.
      next.proceed();
      return;
    }
    AuthCheck check = exchange.authCheck();
    if (check == null) {
      Session session = sessions.requestedSessionValid() ? sessions.requestedSession() : null;
      check = login.check(
          Cookies.values(exchange, authCookie.name()),
          session == null ? null : session.id().cookieValue());
    }
    if (check instanceof AuthCheck.Authenticated ok) {
      exchange.principal(new PortalPrincipal(ok.user(), ok.ticket(), ok.presentedTicket()));
      if (ok.renewedCookie().isPresent()) {
        exchange.setCookie(authCookieHeader.set(ok.renewedCookie().get()));
        audit.emit(
            exchange,
            AuditEventType.SESSION_RENEWED,
            b -> b.reason("auth ticket renewed at half life"));
      }
    } else {
      AuthCheck.Anonymous anonymous = (AuthCheck.Anonymous) check;
      if (anonymous.cookieToClear()) {
        exchange.setCookie(authCookieHeader.expire());
      }
      if (anonymous.audit().isPresent()) {
        audit.emit(exchange, anonymous.audit().get(), anonymous.userHandle().orElse(null));
      }
    }
    next.proceed();
  }
}
