package dev.portcullis.servlet;

import dev.portcullis.login.LoginEndpoints;
import dev.portcullis.login.TermsOfUse;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The terms-of-use gate: a logged-in user who has not accepted the current version reaches only the terms page.
 * {@code POST} of the terms page with {@code acceptTerms=yes} in the form body (CSRF-checked earlier) records the
 * acceptance; any other {@code GET} or {@code HEAD} is sent (303) to the terms page, and anything else is refused with
 * a {@code 403}. Login and logout were answered by the stages before this one.
 */
final class TermsStage extends Stage {
  private final TermsOfUse terms;
  private final LoginEndpoints endpoints;
  private final AuditTrail audit;

  TermsStage(TermsOfUse terms, LoginEndpoints endpoints, AuditTrail audit) {
    this.terms = terms;
    this.endpoints = endpoints;
    this.audit = audit;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    PortalPrincipal principal = exchange.principal();
    if (principal == null || !terms.needsAcceptance(principal.user())) {
      next.proceed();
      return;
    }
    String method = exchange.method();
    if (Paths.path(exchange).equals(endpoints.termsPath())) {
      if (method.equals("POST") && FormFields.acceptsTerms(exchange)) {
        PortalUser updated = terms.accept(principal.user());
        exchange.principal(
            new PortalPrincipal(updated, principal.ticket(), principal.presentedTicket()));
        audit.emit(exchange, terms.acceptedNote());
        Pages.seeOther(exchange, endpoints.afterLoginPath());
        return;
      }
      next.proceed();
    } else if (method.equals("GET") || method.equals("HEAD")) {
      Pages.seeOther(exchange, endpoints.termsPath());
    } else {
      Pages.plain(
          exchange.response(),
          HttpServletResponse.SC_FORBIDDEN,
          "Please accept the current terms of use first.");
    }
  }
}
