package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.Session;
import jakarta.servlet.ServletException;
import java.io.IOException;

/**
 * Opens the auth-key cookie and, when {@link PortalLogin#check} says so, makes the request authenticated. Any failure
 * leaves the request anonymous, clears the cookie in the browser and records the reason in the audit log; it never
 * produces an error page.
 */
final class AuthenticationStage implements Stage {
  private final PortalLogin login;
  private final AuditTrail audit;

  AuthenticationStage(PortalLogin login, AuditTrail audit) {
    this.login = login;
    this.audit = audit;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    String name = login.authCookie().name();
    java.util.List<String> sent = Cookies.values(exchange, name);
    int found = sent.size();
    String value = found == 1 ? sent.get(0) : null;
    AuthCheck check;
    if (found > 1) {
      check = new AuthCheck.Anonymous(java.util.Optional.of("crypt_decrypt_fail"), "duplicate auth cookies",
          java.util.Optional.empty());
    } else {
      SessionState sessions = exchange.sessions();
      Session session = sessions.requestedSessionValid() ? sessions.requestedSession() : null;
      check = login.check(value, session == null ? null : session.id().cookieValue());
    }
    if (check instanceof AuthCheck.Authenticated ok) {
      exchange.principal(new PortalPrincipal(ok.user(), ok.ticket()));
      if (ok.renewedCookie().isPresent()) {
        exchange.setCookie(SetCookie.set(login.authCookie(), ok.renewedCookie().get()));
        audit.emit(exchange, AuditEventType.SESSION_RENEWED, b -> b.reason("auth ticket renewed at half life"));
      }
    } else {
      AuthCheck.Anonymous anon = (AuthCheck.Anonymous) check;
      if (anon.cookieToClear()) {
        exchange.setCookie(SetCookie.expire(login.authCookie()));
        audit.emit(exchange, AuditEventType.of(anon.auditType().get()), anon.userHandle().orElse(null), null,
            b -> b.failure(anon.reason()));
      }
    }
    next.proceed();
  }
}
