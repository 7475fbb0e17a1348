package dev.portcullis.servlet.internal;

import dev.portcullis.login.PendingLogouts;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The details a health check reports about the logouts a failing store could not finish ({@code
 * PortcullisFilter.pendingLogouts()}), under the same names in every framework: {@code pendingLogouts} (how many are
 * pending on this node), {@code pendingLogoutsDropped} (dropped unfinished because the list was full) and, while any is
 * pending, {@code oldestPendingLogoutSeconds} (how long the oldest has waited, in whole seconds), in that order.
 *
 * <p>Used by the Spring Boot health indicator and the Dropwizard health check; internal, not supported API.
 */
public final class PendingLogoutDetails {
  private PendingLogoutDetails() {}

  /** The details of {@code stats}, in the order above; the map cannot be changed. */
  public static Map<String, Object> of(PendingLogouts.Stats stats) {
    Objects.requireNonNull(stats, "stats");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pendingLogouts", stats.pending());
    details.put("pendingLogoutsDropped", stats.dropped());
    if (stats.pending() > 0) {
      details.put("oldestPendingLogoutSeconds", stats.oldestWaiting().toSeconds());
    }
    return Collections.unmodifiableMap(details);
  }
}
