package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The audit log's own record of what it withheld: when an address's window for an event type closes with anonymous
 * events withheld, one {@link AuditEventType#AUDIT_WITHHELD} event names the type, the address, the count and the
 * window; at most {@value WithheldSummaries#PER_MINUTE} such a minute, the rest in one more; none lost at close. Time
 * comes from the injected clock only.
 */
class WithheldSummaryTest {
  private static final AuditEventType REFUSED = AuditEventType.CSRF_FAIL;
  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final MutableClock clock = Fixtures.clock();
  private final Instant t0 = clock.instant();
  private final RecordingAuditSink sink = new RecordingAuditSink();

  private AuditLog log(int perAddress) {
    return AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(sink)
        .anonymousEventsPerAddress(perAddress)
        .build();
  }

  private static void anonymous(AuditLog log, AuditEventType type, String address, int times) {
    for (int i = 0; i < times; i++) {
      log.emit(log.event(type).clientAddress(address).failure("refused").build());
    }
  }

  private List<AuditEvent> summaries() {
    return sink.events().stream()
        .filter(e -> e.type().equals(AuditEventType.AUDIT_WITHHELD))
        .toList();
  }

  @Test
  void aWindowThatClosesWithEventsWithheld_leavesOneSummary_withTypeAddressCountAndWindow()
      throws Exception {
    try (AuditLog log = log(5)) {
      anonymous(log, REFUSED, "203.0.113.7", 100);
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(summaries()).as("no summary while the window is open").isEmpty();

      clock.advance(WINDOW);
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();

      AuditEvent summary = sink.assertOnce(AuditEventType.AUDIT_WITHHELD);
      assertThat(summary.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(summary.actor()).isEmpty();
      assertThat(summary.action()).hasValue("csrf_fail");
      assertThat(summary.clientAddress()).hasValue("203.0.113.7");
      assertThat(summary.time()).isEqualTo(t0.plus(WINDOW));
      assertThat(summary.reason())
          .hasValue(
              "95 csrf_fail events from 203.0.113.7 withheld past its share of 5 in the window "
                  + t0 + " to "
                  + t0.plus(WINDOW));
      assertThat(sink.events()).filteredOn(e -> e.type() == REFUSED).hasSize(5);
      assertThat(log.stats().withheld()).isEqualTo(95);
    }
  }

  @Test
  void aWindowWithNothingWithheld_leavesNoSummary() throws Exception {
    try (AuditLog log = log(5)) {
      anonymous(log, REFUSED, "203.0.113.7", 5);
      clock.advance(WINDOW.plusSeconds(1));
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(summaries()).isEmpty();
    assertThat(sink.events()).hasSize(5);
  }

  @Test
  void eachWindowOfEachTypeAndAddress_hasItsOwnSummary_withItsOwnCount() throws Exception {
    try (AuditLog log = log(2)) {
      anonymous(log, REFUSED, "203.0.113.7", 10);
      anonymous(log, AuditEventType.ACCESS_DENIED, "203.0.113.7", 4);
      anonymous(log, REFUSED, "198.51.100.1", 3);
      clock.advance(WINDOW);
      anonymous(log, REFUSED, "203.0.113.7", 7);
      clock.advance(WINDOW);
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();

      assertThat(summaries())
          .extracting(e -> e.action().orElseThrow() + " " + e.clientAddress().orElseThrow() + " "
              + e.reason().orElseThrow().split(" ", 2)[0])
          .containsExactlyInAnyOrder(
              "csrf_fail 203.0.113.7 8",
              "access_denied 203.0.113.7 2",
              "csrf_fail 198.51.100.1 1",
              "csrf_fail 203.0.113.7 5");
      assertThat(log.stats().withheld()).isEqualTo(8 + 2 + 1 + 5);
    }
  }

  @Test
  void anIpv6Client_isSummarisedByItsSlash64_underTheAddressThatOpenedTheWindow() throws Exception {
    try (AuditLog log = log(3)) {
      for (int i = 1; i <= 10; i++) {
        anonymous(log, REFUSED, "2001:db8:1:2::" + Integer.toHexString(i), 1);
      }
      clock.advance(WINDOW);
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      AuditEvent summary = sink.assertOnce(AuditEventType.AUDIT_WITHHELD);
      assertThat(summary.clientAddress()).hasValue("2001:db8:1:2::1");
      assertThat(summary.reason().orElseThrow())
          .startsWith("7 csrf_fail events from 2001:db8:1:2::/64 withheld");
    }
  }

  @Test
  void summariesAreBounded_aHundredAMinute_andOneMoreForTheRest() throws Exception {
    int addresses = WithheldSummaries.PER_MINUTE + 50;
    try (AuditLog log = log(1)) {
      for (int i = 0; i < addresses; i++) {
        anonymous(log, REFUSED, "10.0." + (i / 200) + "." + (i % 200 + 1), 3);
      }
      clock.advance(WINDOW);
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(summaries())
          .as("summaries of their own in the first minute")
          .hasSize(WithheldSummaries.PER_MINUTE)
          .allSatisfy(e -> assertThat(e.clientAddress()).isPresent());

      clock.advance(Duration.ofSeconds(59));
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(summaries()).as("the rest waits for the minute's end").hasSize(100);

      clock.advance(Duration.ofSeconds(1));
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(summaries()).hasSize(WithheldSummaries.PER_MINUTE + 1);
      AuditEvent rest = summaries().get(WithheldSummaries.PER_MINUTE);
      assertThat(rest.clientAddress()).isEmpty();
      assertThat(rest.action()).isEmpty();
      assertThat(rest.reason().orElseThrow())
          .startsWith("100 events withheld in 50 more windows of an address and event type")
          .endsWith("past the 100 summaries a minute");
      assertThat(log.stats().withheld()).isEqualTo(2L * addresses);
    }
    assertThat(summaries()).as("nothing more at close").hasSize(WithheldSummaries.PER_MINUTE + 1);
  }

  /**
   * Repeated: the dispatcher read the clock for the summaries before closing the windows, which reads it too, so a
   * clock that moved between the two counted the windows just closed in the minute before (1 run in about 120 gave
   * 101 summaries, 100 and the rest).
   */
  @RepeatedTest(20)
  void theBudgetComesBack_theNextMinute() throws Exception {
    try (AuditLog log = log(1)) {
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < WithheldSummaries.PER_MINUTE; i++) {
          anonymous(log, REFUSED, "10." + round + "." + (i / 200) + "." + (i % 200 + 1), 2);
        }
        clock.advance(WINDOW);
        assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(summaries())
            .as("round %d", round)
            .hasSize((round + 1) * WithheldSummaries.PER_MINUTE);
      }
    }
    assertThat(summaries())
        .hasSize(2 * WithheldSummaries.PER_MINUTE)
        .allSatisfy(e -> assertThat(e.clientAddress()).isPresent());
  }

  @Test
  void close_writesTheSummariesOfWindowsStillOpen_markedCutShort() throws Exception {
    AuditLog log = log(5);
    anonymous(log, REFUSED, "203.0.113.7", 20);
    anonymous(log, AuditEventType.ACCESS_DENIED, "198.51.100.1", 6);
    clock.advance(Duration.ofSeconds(20));
    log.close();

    assertThat(summaries())
        .extracting(e -> e.reason().orElseThrow())
        .containsExactlyInAnyOrder(
            "15 csrf_fail events from 203.0.113.7 withheld past its share of 5 in the window "
                + t0 + " to "
                + t0.plusSeconds(20)
                + " (cut short)",
            "1 access_denied events from 198.51.100.1 withheld past its share of 5 in the window "
                + t0 + " to "
                + t0.plusSeconds(20)
                + " (cut short)");
  }

  @Test
  void close_writesTheRestAtOnce_withoutWaitingForTheMinute() throws Exception {
    AuditLog log = log(1);
    for (int i = 0; i < WithheldSummaries.PER_MINUTE + 5; i++) {
      anonymous(log, REFUSED, "10.1." + (i / 200) + "." + (i % 200 + 1), 2);
    }
    log.close();
    assertThat(summaries()).hasSize(WithheldSummaries.PER_MINUTE + 1);
    assertThat(summaries().get(WithheldSummaries.PER_MINUTE).reason().orElseThrow())
        .startsWith("5 events withheld in 5 more windows");
  }
}
