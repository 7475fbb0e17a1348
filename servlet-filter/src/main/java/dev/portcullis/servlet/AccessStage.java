package dev.portcullis.servlet;

import dev.portcullis.access.AccessDecision;
import dev.portcullis.access.AccessPolicy;
import dev.portcullis.access.RequestPath;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.SafeRedirect;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage before the application: asks the {@link AccessPolicy} about the request path as the client sent it
 * (the still-encoded {@code getRequestURI()} without the context path; never the container's decoded servlet path) and
 * the logged-in user's roles, and carries out the answer.
 *
 * <ul>
 *   <li>{@code ALLOW}: the request goes on.
 *   <li>{@code LOGIN_REQUIRED}: {@code GET}/{@code HEAD} get a {@code 303} to the login page with
 *       {@code returnTo=} the request's path and query as sent (relative to the context path, as the login handler
 *       expects), URL-encoded; other methods a
 *       {@code 401}. No {@code WWW-Authenticate} challenge is sent: login is a form, not an HTTP scheme.
 *   <li>{@code FORBIDDEN}: {@code 403}. {@code BAD_PATH}: {@code 400}.
 * </ul>
 *
 * <p><b>Security.</b> A path that does not start with the context path exactly as sent (for example an encoded
 * context path) is refused, and so is anything the normaliser cannot read one way only. Refusals carry a fixed
 * sentence; the path, the query and the reason go to the debug log only, never to the client.
 */
final class AccessStage extends Stage {
  private static final Logger log = LoggerFactory.getLogger(AccessStage.class);

  private final AccessPolicy policy;
  private final String loginPath;
  private final AuditTrail audit;

  /** @param loginPath context-relative, checked by the filter's builder to be public under {@code policy} */
  AccessStage(AccessPolicy policy, String loginPath, AuditTrail audit) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.loginPath = Objects.requireNonNull(loginPath, "loginPath");
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    HttpServletRequest original = exchange.original();
    PortalPrincipal principal = exchange.principal();
    Optional<Set<String>> roles =
        principal == null ? Optional.empty() : Optional.of(principal.user().roles());
    RequestPath path = exchange.requestPath();
    AccessDecision decision;
    try {
      decision = path == null ? AccessDecision.BAD_PATH : policy.decide(path, roles);
    } catch (RuntimeException e) {
      log.error("the access policy failed; request refused", e);
      Pages.plain(
          exchange.response(),
          HttpServletResponse.SC_INTERNAL_SERVER_ERROR,
          "The request could not be handled.");
      return;
    }
    switch (decision) {
      case ALLOW -> next.proceed();
      case LOGIN_REQUIRED -> loginRequired(exchange);
      case FORBIDDEN -> {
        log.debug("access denied: {} lacks a role for this path", principal);
        audit.emit(
            exchange, AuditEventType.ACCESS_DENIED, b -> b.failure("missing role for this path"));
        Pages.plain(
            exchange.response(),
            HttpServletResponse.SC_FORBIDDEN,
            "You do not have access to this page.");
      }
      default -> {
        log.debug(
            "ambiguous or malformed request path refused ({} characters)",
            original.getRequestURI() == null ? 0 : original.getRequestURI().length());
        audit.emit(
            exchange, AuditEventType.ACCESS_DENIED, b -> b.failure("ambiguous or malformed path"));
        Pages.plain(exchange.response(), HttpServletResponse.SC_BAD_REQUEST, "Bad request.");
      }
    }
  }

  private void loginRequired(Exchange exchange) throws IOException {
    HttpServletRequest original = exchange.original();
    String method = exchange.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      Pages.plain(exchange.response(), HttpServletResponse.SC_UNAUTHORIZED, "Please log in first.");
      return;
    }
    String query = original.getQueryString();
    String target = exchange.pathInContext() + (query == null ? "" : "?" + query);
    Pages.seeOther(exchange, SafeRedirect.withReturnTo(loginPath, target));
  }
}
