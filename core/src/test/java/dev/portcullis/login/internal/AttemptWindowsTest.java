package dev.portcullis.login.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AttemptWindowsTest {
  @Test
  void aDuration_isCountedInWholeMilliseconds_atLeastOne_andAtMostTenYears() {
    assertThat(AttemptWindows.millis(Duration.ofMinutes(15))).isEqualTo(900_000L);
    assertThat(AttemptWindows.millis(Duration.ofNanos(1))).isEqualTo(1L);
    assertThat(AttemptWindows.millis(Duration.ofDays(3650)))
        .isEqualTo(AttemptWindows.LONGEST_MILLIS);
    assertThat(AttemptWindows.millis(Duration.ofDays(40_000)))
        .isEqualTo(AttemptWindows.LONGEST_MILLIS);
    assertThat(AttemptWindows.LONGEST_MILLIS).isEqualTo(Duration.ofDays(3650).toMillis());
  }

  @Test
  void aDurationThatIsNotPositive_orAReservationWithoutKeyOrLimit_isRefused() {
    assertThatThrownBy(() -> AttemptWindows.millis(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AttemptWindows.millis(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AttemptWindows.checkReservation(null, 1))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> AttemptWindows.checkReservation("k", 0))
        .isInstanceOf(IllegalArgumentException.class);
    AttemptWindows.checkReservation("k", 1);
  }
}
