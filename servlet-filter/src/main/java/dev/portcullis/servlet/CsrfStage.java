package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LoginEndpoints;
import dev.portcullis.login.LoginFormTokens;
import dev.portcullis.session.Session;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSRF protection, decided here and nowhere else: every state-changing request (anything but GET, HEAD, OPTIONS and
 * TRACE), the login form and logout included, must bring back a token in the header {@value CsrfTokens#HEADER} or the
 * form body's field {@value CsrfTokens#FIELD} (never the query string); otherwise {@code 403} and {@code csrf_fail}.
 *
 * <p>The token is the synchronizer token kept in the request's server-side session; or, for a request nobody is
 * logged in to, the form token bound to the browser's cookie-check cookie ({@link LoginFormTokens}), so that the
 * login page, and any anonymous form that uses its token, needs no server-side session. A logged-in request must bring
 * its session's token: a login gives the session a new one, so no token from before the login works after it.
 *
 * <p>The token is offered to the application as the request attribute {@link PortcullisFilter#CSRF_TOKEN_ATTRIBUTE}:
 * the session's when there is a session, otherwise the cookie-bound one when the browser has a cookie-check value
 * (the login page always has one). Offering a token never creates a session.
 *
 * <p>A form body the container cannot parse ({@link FormFields.UnreadableForm}), whether this stage reads it for the
 * token or a later one for its fields (the login, the terms, single sign-on), gets a plain {@code 400} and
 * {@code access_denied}, never the container's error page with its stack trace.
 */
final class CsrfStage extends Stage {
  private static final Logger log = LoggerFactory.getLogger(CsrfStage.class);

  static final String REFUSED =
      "This form has expired or did not come from this site. Go back, reload the page and try again.";
  static final String BAD_FORM = "Bad request.";

  private final SecureRandom random;
  private final LoginFormTokens formTokens;
  private final AuditTrail audit;
  private final LoginEndpoints endpoints;

  CsrfStage(
      SecureRandom random, LoginFormTokens formTokens, AuditTrail audit, LoginEndpoints endpoints) {
    this.random = random;
    this.formTokens = formTokens;
    this.audit = audit;
    this.endpoints = endpoints;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    try {
      check(exchange, next);
    } catch (FormFields.UnreadableForm e) {
      log.debug("form body could not be read: {}", e.getCause().getClass().getName());
      audit.emit(
          exchange, AuditEventType.ACCESS_DENIED, b -> b.failure("form body could not be read"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_BAD_REQUEST, BAD_FORM);
    }
  }

  private void check(Exchange exchange, Next next) throws IOException, ServletException {
    if (!exchange.safeMethod()) {
      String why = CsrfTokens.mismatch(exchange, formTokens);
      if (why != null && !logoutWithoutReachableSession(exchange)) {
        audit.emit(exchange, AuditEventType.CSRF_FAIL, b -> b.failure(why));
        Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, REFUSED);
        return;
      }
    }
    Session session = exchange.sessions().session(false);
    String token = session != null
        ? CsrfTokens.tokenFor(session, random)
        : formTokens.tokenFor(exchange.cookieCheckValue());
    if (token != null) {
      exchange.request().setAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE, token);
    }
    next.proceed();
  }

  /** A logout post of an anonymous request whose session the store could not look up. */
  private boolean logoutWithoutReachableSession(Exchange exchange) {
    return exchange.method().equals("POST")
        && exchange.anonymousForAnUnreachableSession()
        && endpoints.isLogout(Paths.path(exchange));
  }
}
