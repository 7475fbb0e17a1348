package dev.portcullis.examples.portal;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * The council officers' monitoring pages: the service demand the anonymous search-demand log shows
 * ({@value #SERVICE_DEMAND_PATH}) and the audit log with its hash-chain check ({@value #AUDIT_PATH}).
 *
 * <p>Only users with the role {@value DemoData#COUNCIL_OFFICER} reach them: the access policy refuses anyone else
 * ({@code 403}, recorded as {@code access_denied}; anonymous visitors go to the login page first), and the pages check
 * the role again. Every view is an audited action ({@value #SERVICE_DEMAND_ACTION}, {@value #AUDIT_ACTION}).
 */
final class Monitoring {
  /** Every monitoring path, for the access policy. */
  static final String PATHS = "/monitoring/**";

  static final String ROLE = DemoData.COUNCIL_OFFICER;
  static final String SERVICE_DEMAND_PATH = "/monitoring/service-demand";
  static final String AUDIT_PATH = "/monitoring/audit";
  static final String SERVICE_DEMAND_ACTION = "service_demand_view";
  static final String AUDIT_ACTION = "audit_log_view";

  /** How long a page waits for the audit log to write what is queued before it reads the files. */
  static final Duration FLUSH_WAIT = Duration.ofSeconds(2);

  private Monitoring() {}

  /** Adds both pages, reading the log files of {@code dataDir}. */
  static void addPages(
      ServletContextHandler app,
      Path dataDir,
      AuditLog audit,
      KeyRingSource keys,
      InstantSource clock) {
    app.addServlet(
        new ServletHolder(
            new ServiceDemandPage(dataDir.resolve(Portal.SEARCH_DEMAND_FILE), audit, clock)),
        SERVICE_DEMAND_PATH);
    app.addServlet(
        new ServletHolder(new AuditPage(dataDir.resolve(Portal.AUDIT_FILE), dataDir, audit, keys)),
        AUDIT_PATH);
  }

  /** Whether the request's user may see the monitoring pages. */
  static boolean permits(HttpServletRequest request) {
    PortalPrincipal user = Html.principal(request);
    return user != null && user.user().hasRole(ROLE);
  }

  /**
   * Waits a little for the audit log to write what is queued, so that a page shows the latest events. Whether it
   * finished: a page that reads the files anyway says that the newest events may be missing.
   */
  static boolean flush(AuditLog audit) {
    try {
      return audit.flush(FLUSH_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (IllegalStateException e) {
      return false; // the log is closing: the portal is stopping
    }
  }
}
