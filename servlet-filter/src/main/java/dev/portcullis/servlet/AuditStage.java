package dev.portcullis.servlet;

import dev.portcullis.access.RequestPath;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditRules;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the application has answered: records configured actions (e.g. {@code report_view}) with the response's
 * outcome, or with the refusal the application recorded in {@link PortcullisFilter#AUDIT_FAILURE_ATTRIBUTE}, and
 * configured searches in the anonymous search-demand log. Runs last before the application, so requests that an
 * earlier stage refused are recorded by that stage, once, and not here again.
 *
 * <p><b>Methods.</b> The request's method decides with its path, by {@link AuditRules#action(String, RequestPath)}
 * and {@link AuditRules#search(String, RequestPath)}: an {@code OPTIONS} of an audited path is no action (the servlet
 * answers it with the allowed methods without running the page, so its status says nothing about an access), while a
 * {@code HEAD} is recorded like the {@code GET} it runs; only {@code GET} and {@code POST} count as searches. An
 * {@code OPTIONS} or {@code TRACE} with a method-override header naming another method is judged as that method
 * ({@link Exchange#auditedMethod()}): Javalin runs the {@code GET} handler of an {@code OPTIONS} with {@code
 * X-HTTP-Method-Override: GET}.
 *
 * <p><b>Outcome.</b> A status of 400 or more is a failure. So is a redirect of a {@code GET} or {@code HEAD} (the page
 * was not shown: an application's own access control sending an anonymous visitor to the login page looks like this),
 * and a redirect of any method when no user is logged in; a logged-in user's form answered with a redirect
 * (post/redirect/get) is a success, as is a {@code 304}. A search counts when its request was answered in the same
 * sense, logged in or not.
 *
 * <p><b>A path the filter can't read.</b> A request whose path {@link RequestPath#of} refuses (path parameters such
 * as {@code ;jsessionid=}, encoded slashes, dot segments, more than 2,048 characters) matches no rule, yet a container
 * may serve it as an audited action (it strips path parameters before the application sees the path). While any
 * action is audited it is refused with {@code 400} and recorded as {@code access_denied}, as the access stage refuses
 * it where the filter decides access, so that no action goes unaudited where the application decides access.
 *
 * <p><b>When the audit log can't write.</b> An audited action is refused with a plain {@code 503}, before the
 * application sees it, while {@link dev.portcullis.audit.AuditLog#health()} reports a sink out of service: an action
 * that must be audited does not happen unaudited. The refusal is itself an event (outcome failure, reason {@code audit
 * log unavailable}), kept with the others until the sink recovers. Everything else (logins, logouts, unaudited pages,
 * searches) goes on, and audited actions work again as soon as the sink has caught up, without a restart.
 */
final class AuditStage extends Stage {
  private static final Logger log = LoggerFactory.getLogger(AuditStage.class);

  private final AuditRules rules;
  private final AuditTrail audit;

  AuditStage(AuditRules rules, AuditTrail audit) {
    this.rules = rules;
    this.audit = audit;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    RequestPath path = exchange.requestPath();
    if (path == null && rules.auditsActions()) {
      // The access stage refuses such a path; where the application decides access, it would
      // reach the application, and the container may read it as an audited action (it strips
      // ;jsessionid= and other path parameters) that no rule matched.
      audit.emit(
          exchange, AuditEventType.ACCESS_DENIED, b -> b.failure("ambiguous or malformed path"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_BAD_REQUEST, "Bad request.");
      return;
    }
    String method = exchange.auditedMethod();
    Optional<AuditRules.Match> action =
        path == null ? Optional.empty() : rules.action(method, path);
    if (action.isPresent() && !audit.writable()) {
      AuditRules.Match m = action.get();
      audit.emit(
          exchange,
          AuditEventType.of(m.action()),
          b -> b.action(m.action())
              .resource(AuditTrail.asResource(m.resource()))
              .failure("audit log unavailable"));
      Pages.serviceUnavailable(exchange.response());
      return;
    }
    Optional<String[]> search = path == null ? Optional.empty() : rules.search(method, path);
    boolean done = false;
    try {
      next.proceed();
      done = true;
    } finally {
      int status = exchange.response().getStatus();
      boolean answered = done && answered(method, status);
      if (action.isPresent()) {
        // A redirect of a form answered by a logged-in user is the form carried out; anyone else's
        // redirect (an application's own access control sending the visitor to log in) is not.
        boolean ok = answered && (!isRedirect(status) || exchange.principal() != null);
        actionDone(exchange, action.get(), status, ok, done);
      }
      if (search.isPresent()) {
        String[] s = search.get();
        searched(exchange, s[0], s[1], answered);
      }
    }
  }

  /**
   * Whether the response to {@code method} answered the request: any status below 300, a {@code 304} (the browser shows
   * the copy it has), or a redirect of anything but {@code GET} and {@code HEAD} (a form's post/redirect/get). A
   * redirect of a {@code GET} or {@code HEAD} showed nothing: the page was not viewed.
   */
  static boolean answered(String method, int status) {
    if (isRedirect(status)) {
      return !method.equals("GET") && !method.equals("HEAD");
    }
    return status < 400;
  }

  private static boolean isRedirect(int status) {
    return status >= 300 && status < 400 && status != HttpServletResponse.SC_NOT_MODIFIED;
  }

  /** Records an audited action with the response's outcome, or the refusal the application recorded. */
  private void actionDone(
      Exchange exchange, AuditRules.Match m, int status, boolean ok, boolean done) {
    String byStatus = ok ? null : done ? "status " + status : "application error";
    audit.emit(exchange, AuditEventType.of(m.action()), b -> {
      b.action(m.action()).resource(AuditTrail.asResource(m.resource()));
      String refused = applicationsFailure(exchange);
      if (refused != null) {
        try {
          b.failure(refused);
        } catch (IllegalArgumentException e) {
          b.failure("refused by the application ("
              + (byStatus == null ? "status " + status : byStatus) + ")");
        }
      } else if (byStatus != null) {
        b.failure(byStatus);
      }
    });
  }

  /** The reason the application gave for refusing the action, if it gave one. */
  private static String applicationsFailure(Exchange exchange) {
    Object reason = exchange.request().getAttribute(PortcullisFilter.AUDIT_FAILURE_ATTRIBUTE);
    return reason instanceof String r && !r.isBlank() ? r : null;
  }

  private void searched(Exchange exchange, String endpoint, String parameter, boolean ok) {
    if (!ok || !audit.enabled()) {
      return;
    }
    String query;
    try {
      query = exchange.parameter(parameter);
    } catch (FormFields.TooManyForms | FormFields.UnreadableForm e) {
      // The body of a search posted with its token in a header is not read without a place in the
      // bounds on form reads: the search goes uncounted instead.
      return;
    }
    if (query == null || query.isBlank()) {
      return;
    }
    Object count = exchange.request().getAttribute(PortcullisFilter.SEARCH_RESULT_COUNT_ATTRIBUTE);
    int results = count instanceof Integer n && n >= 0 ? n : 0;
    try {
      // Counted, not logged: the demand log gets the hour's totals when the hour closes, nothing
      // about who searched.
      audit.log().searched(endpoint, query, results);
    } catch (RuntimeException e) {
      log.error("could not record a search-demand event: {}", e.getClass().getName());
    }
  }
}
