package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.session.Session;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;

/**
 * Synchronizer-token CSRF protection, decided here and nowhere else: every state-changing request (anything but GET,
 * HEAD, OPTIONS and TRACE), the login form and logout included, must bring back the token kept in its server-side
 * session, in the header {@value CsrfTokens#HEADER} or the form body's field {@value CsrfTokens#FIELD} (never the
 * query string); otherwise {@code 403} and {@code csrf_fail}. The login page gets a session, so that its form has a
 * token; whenever a session exists, the token is offered to the application as the request attribute
 * {@link PortcullisFilter#CSRF_TOKEN_ATTRIBUTE}.
 */
final class CsrfStage implements Stage {
  static final String REFUSED =
      "This form has expired or did not come from this site. Go back, reload the page and try again.";

  private final SecureRandom random;
  private final AuditTrail audit;
  private final String loginPath;

  CsrfStage(SecureRandom random, AuditTrail audit, String loginPath) {
    this.random = random;
    this.audit = audit;
    this.loginPath = loginPath;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    if (!exchange.safeMethod()) {
      String why = CsrfTokens.mismatch(exchange);
      if (why != null) {
        audit.emit(exchange, AuditEventType.CSRF_FAIL, b -> b.failure(why));
        Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, REFUSED);
        return;
      }
    }
    boolean loginPage = exchange.method().equals("GET") && Paths.path(exchange).equals(loginPath);
    Session session = exchange.sessions().session(loginPage);
    if (session != null) {
      exchange.request().setAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE, CsrfTokens.tokenFor(session, random));
    }
    next.proceed();
  }
}
