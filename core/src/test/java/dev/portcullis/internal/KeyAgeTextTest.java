package dev.portcullis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyRing;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyAgeTextTest {
  @Test
  void theDefaultMaximumAge_readsAsNinetyDays_notIsoHours() {
    assertThat(KeyAgeText.of(KeyRing.DEFAULT_MAX_KEY_AGE)).isEqualTo("90 days");
  }

  @Test
  void wholeDays_andUnderADay_readInTheirOwnUnits() {
    assertThat(KeyAgeText.of(Duration.ofDays(1))).isEqualTo("1 day");
    assertThat(KeyAgeText.of(Duration.ofHours(12))).isEqualTo("12 hours");
    assertThat(KeyAgeText.of(Duration.ofHours(1))).isEqualTo("1 hour");
    assertThat(KeyAgeText.of(Duration.ofMinutes(90))).isEqualTo("1 hour 30 minutes");
  }

  @Test
  void aRemainderBelowADay_isNotDropped() {
    assertThat(KeyAgeText.of(Duration.ofHours(30))).isEqualTo("1 day 6 hours");
    assertThat(KeyAgeText.of(Duration.ofDays(2).plusSeconds(1))).isEqualTo("2 days 1 second");
  }

  @Test
  void aLoginWindowOfWholeSecondsBeyondAMinute_readsInMinutesAndSeconds() {
    assertThat(KeyAgeText.of(Duration.ofSeconds(90))).isEqualTo("1 minute 30 seconds");
    assertThat(KeyAgeText.of(Duration.ofMinutes(10).plusSeconds(1)))
        .isEqualTo("10 minutes 1 second");
    assertThat(KeyAgeText.of(Duration.ofHours(1))).isEqualTo("1 hour");
  }

  @Test
  void zeroNegativeAndSubSecondDurations_keepTheIsoForm() {
    assertThat(KeyAgeText.of(Duration.ZERO)).isEqualTo("PT0S");
    assertThat(KeyAgeText.of(Duration.ofDays(-1))).isEqualTo("PT-24H");
    assertThat(KeyAgeText.of(Duration.ofMillis(500))).isEqualTo("PT0.5S");
  }
}
