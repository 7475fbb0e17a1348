package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.CsrfToken;
import dev.portcullis.session.Session;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Set;

/**
 * Synchronizer-token CSRF protection for every state-changing request (anything but GET, HEAD, OPTIONS and TRACE):
 * the token kept in the server-side session must come back in the form field {@value #FIELD} or the header
 * {@value #HEADER}. Whenever a session exists, the token is offered to the application as the request attribute
 * {@link PortcullisFilter#CSRF_TOKEN_ATTRIBUTE}. The login form is checked by the login endpoint itself, after its
 * cookie check.
 */
final class CsrfStage implements Stage {
  static final String FIELD = "_csrf";
  static final String HEADER = "X-CSRF-Token";
  static final String SESSION_ATTRIBUTE = "portcullis.csrf";
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  private final SecureRandom random;
  private final AuditTrail audit;
  private final String exemptPost;

  CsrfStage(SecureRandom random, AuditTrail audit, String loginPath) {
    this.random = random;
    this.audit = audit;
    this.exemptPost = loginPath;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    String method = exchange.original().getMethod().toUpperCase(Locale.ROOT);
    if (!SAFE.contains(method) && !(method.equals("POST") && exemptPost.equals(Paths.path(exchange)))) {
      if (!check(exchange, random, audit)) {
        return;
      }
    }
    Session session = exchange.sessions().session(false);
    if (session != null) {
      exchange.request().setAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE, tokenFor(session, random));
    }
    next.proceed();
  }

  /** Checks the request's token; on failure answers 403, records {@code csrf_fail} and returns false. */
  static boolean check(Exchange exchange, SecureRandom random, AuditTrail audit) throws IOException {
    Session session = exchange.sessions().session(false);
    Object expected = session == null ? null : session.getAttribute(SESSION_ATTRIBUTE);
    String header = exchange.original().getHeader(HEADER);
    String presented = header != null ? header : exchange.request().getParameter(FIELD);
    if (expected instanceof String e && CsrfToken.matches(e, presented)) {
      return true;
    }
    String why = presented == null ? "no CSRF token" : session == null ? "no session" : "CSRF token mismatch";
    audit.emit(exchange, AuditEventType.CSRF_FAIL, b -> b.failure(why));
    Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN,
        "This form has expired or did not come from this site. Go back, reload the page and try again.");
    return false;
  }

  static String tokenFor(Session session, SecureRandom random) {
    Object t = session.getAttribute(SESSION_ATTRIBUTE);
    if (t instanceof String s) {
      return s;
    }
    String fresh = CsrfToken.generate(random);
    session.setAttribute(SESSION_ATTRIBUTE, fresh);
    return fresh;
  }
}
