package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;

/**
 * The terms-of-use gate: a logged-in user who has not accepted the current version reaches only the terms page (and
 * logout). {@code POST terms} with {@code acceptTerms=yes} (CSRF-checked earlier) records the acceptance.
 */
final class TermsStage implements Stage {
  private final PortalLogin login;
  private final AuditTrail audit;

  TermsStage(PortalLogin login, AuditTrail audit) {
    this.login = login;
    this.audit = audit;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    PortalPrincipal principal = exchange.principal();
    if (principal == null || !login.needsTerms(principal.user())) {
      next.proceed();
      return;
    }
    String path = Paths.path(exchange);
    String method = exchange.original().getMethod().toUpperCase(Locale.ROOT);
    if (path.equals(login.termsPath())) {
      if (method.equals("POST") && "yes".equals(exchange.request().getParameter("acceptTerms"))) {
        PortalUser updated = login.acceptTerms(principal.user());
        exchange.principal(new PortalPrincipal(updated, principal.ticket()));
        audit.emit(exchange, AuditEventType.TERMS_ACCEPTED, b -> b.reason("terms version " + login.termsVersion()));
        Pages.seeOther(exchange, login.afterLoginPath());
        return;
      }
      next.proceed();
      return;
    }
    if (path.equals(login.logoutPath()) || path.equals(login.logoutEverywherePath())) {
      next.proceed();
      return;
    }
    if (method.equals("GET") || method.equals("HEAD")) {
      Pages.seeOther(exchange, login.termsPath());
    } else {
      Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN,
          "Please accept the current terms of use first.");
    }
  }
}
