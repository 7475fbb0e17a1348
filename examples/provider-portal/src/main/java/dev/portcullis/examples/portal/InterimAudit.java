package dev.portcullis.examples.portal;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for the filter's audit stage until it is merged: records {@code report_view} with the user, the report id
 * and the outcome, and searches in the anonymous search-demand log only. The events have the shape the stage gives
 * (action {@code report_view}, resource = the id, failure reason {@code status <n>}).
 *
 * <p>To be deleted once {@code PortcullisFilter.Builder.audit(audit, AuditRules)} is on this branch; see the README.
 *
 * <p><b>Security.</b> Never breaks a page: a failure to record is logged by exception class only.
 */
final class InterimAudit {
  static final AuditEventType REPORT_VIEW = AuditEventType.of("report_view");
  static final String SEARCH_ENDPOINT = "/search";
  private static final Logger log = LoggerFactory.getLogger(InterimAudit.class);

  private final AuditLog audit;

  InterimAudit(AuditLog audit) {
    this.audit = audit;
  }

  /** A logged-in user asked for report {@code id}; the page answered {@code status}. */
  void reportView(HttpServletRequest request, PortalPrincipal user, String id, int status) {
    try {
      String organisation = user.user().organisation();
      AuditEvent.Builder b = audit.event(REPORT_VIEW)
          .actor(AuditEvent.Actor.of(user.getName(), organisation.isEmpty() ? null : organisation))
          .action(REPORT_VIEW.name())
          .resource(id);
      try {
        b.clientAddress(request.getRemoteAddr());
      } catch (IllegalArgumentException e) {
        // Not an IP literal: the event goes out without it.
      }
      if (status >= 400) {
        b.failure("status " + status);
      }
      audit.emit(b.build());
    } catch (RuntimeException e) {
      log.error("could not record report_view: {}", e.getClass().getName());
    }
  }

  /** Someone searched: only the normalised terms, the count and a coarse time are kept, never who. */
  void searched(String query, int resultCount) {
    try {
      audit.searched(SEARCH_ENDPOINT, query, resultCount);
    } catch (RuntimeException e) {
      log.error("could not record a search-demand event: {}", e.getClass().getName());
    }
  }
}
