package dev.portcullis.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.login.PendingLogouts;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PendingLogoutDetailsTest {
  @Test
  void whileLogoutsArePending_theOldestWaitIsReported_inWholeSeconds_afterTheCounts() {
    Map<String, Object> details =
        PendingLogoutDetails.of(new PendingLogouts.Stats(3, 2L, 100, Duration.ofMillis(61_900)));

    assertThat(details)
        .containsExactly(
            Map.entry("pendingLogouts", 3),
            Map.entry("pendingLogoutsDropped", 2L),
            Map.entry("oldestPendingLogoutSeconds", 61L));
  }

  @Test
  void withNothingPending_onlyTheCountsAreReported() {
    Map<String, Object> details =
        PendingLogoutDetails.of(new PendingLogouts.Stats(0, 5L, 100, Duration.ZERO));

    assertThat(details)
        .containsExactly(Map.entry("pendingLogouts", 0), Map.entry("pendingLogoutsDropped", 5L));
    assertThatThrownBy(() -> details.put("pendingLogouts", 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
