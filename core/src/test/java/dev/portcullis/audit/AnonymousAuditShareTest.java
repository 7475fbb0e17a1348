package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Each client address's share of anonymous audit events of each type
 * ({@link AuditLog.Builder#anonymousEventsPerAddress}): events with an address and no actor past the share are
 * withheld and counted; events with an actor, events without an address, other addresses' events and events of other
 * types are not affected, and the share comes back when the window has passed.
 */
class AnonymousAuditShareTest {
  private static final AuditEventType REFUSED = AuditEventType.CSRF_FAIL;

  private final MutableClock clock = Fixtures.clock();
  private final RecordingAuditSink sink = new RecordingAuditSink();

  private AuditLog log(int perAddress) {
    return AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(sink)
        .anonymousEventsPerAddress(perAddress)
        .build();
  }

  private static void anonymous(AuditLog log, String address, int times) {
    for (int i = 0; i < times; i++) {
      log.emit(
          log.event(REFUSED).clientAddress(address).failure("no CSRF token").build());
    }
  }

  @Test
  void anonymousEventsPastTheShare_areWithheldAndCounted() throws Exception {
    try (AuditLog log = log(5)) {
      anonymous(log, "203.0.113.7", 100);
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.events()).hasSize(5);
      assertThat(log.stats().withheld()).isEqualTo(95);
      assertThat(log.stats().emitted()).isEqualTo(5);
    }
  }

  @Test
  void eventsWithAnActor_orWithoutAnAddress_areNeverWithheld() throws Exception {
    try (AuditLog log = log(1)) {
      anonymous(log, "203.0.113.7", 10);
      for (int i = 0; i < 10; i++) {
        log.emit(log.event(AuditEventType.LOGOUT)
            .actor(AuditEvent.Actor.of("u-alice", "riverside"))
            .clientAddress("203.0.113.7")
            .build());
        log.emit(log.event(AuditEventType.of("key_ring_reloaded")).build());
      }
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.events())
          .filteredOn(e -> e.type() == AuditEventType.LOGOUT)
          .hasSize(10);
      assertThat(sink.events())
          .filteredOn(e -> e.type().name().equals("key_ring_reloaded"))
          .hasSize(10);
      assertThat(sink.events()).filteredOn(e -> e.type() == REFUSED).hasSize(1);
      assertThat(log.stats().withheld()).isEqualTo(9);
    }
  }

  @Test
  void eachAddressHasItsOwnShare_andAnIpv6ClientItsSlash64() throws Exception {
    try (AuditLog log = log(3)) {
      anonymous(log, "203.0.113.7", 10);
      anonymous(log, "198.51.100.1", 10);
      for (int i = 0; i < 10; i++) {
        anonymous(log, "2001:db8:1:2::" + Integer.toHexString(i + 1), 1);
      }
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.events()).hasSize(9);
      assertThat(log.stats().withheld()).isEqualTo(21);
    }
  }

  @Test
  void eachTypeHasItsOwnShare_soAFloodOfOneKindCannotHideAnother() throws Exception {
    try (AuditLog log = log(5)) {
      anonymous(log, "203.0.113.7", 100);
      log.emit(log.event(AuditEventType.AUTHN_LOGIN_LOCK)
          .clientAddress("203.0.113.7")
          .failure("FAILURE_LIMIT")
          .build());
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.events()).hasSize(6);
      sink.assertOnce(AuditEventType.AUTHN_LOGIN_LOCK);
      assertThat(log.stats().withheld()).isEqualTo(95);
    }
  }

  @Test
  void theShareComesBack_whenTheWindowHasPassed() throws Exception {
    try (AuditLog log = log(2)) {
      anonymous(log, "203.0.113.7", 5);
      clock.advance(Duration.ofSeconds(59));
      anonymous(log, "203.0.113.7", 1);
      clock.advance(Duration.ofSeconds(2));
      anonymous(log, "203.0.113.7", 5);
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.events()).filteredOn(e -> e.type() == REFUSED).hasSize(4);
      assertThat(log.stats().withheld()).isEqualTo(7);
      assertThat(sink.assertOnce(AuditEventType.AUDIT_WITHHELD).reason().orElseThrow())
          .as("the first window's summary; the second is still open")
          .startsWith("4 csrf_fail events from 203.0.113.7 withheld");
    }
  }

  @Test
  void aWithheldEventAfterClose_isStillAClearError() {
    AuditLog log = log(1);
    anonymous(log, "203.0.113.7", 1);
    log.close();
    assertThatThrownBy(() -> anonymous(log, "203.0.113.7", 1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theShare_isSixtyAMinuteUnlessSet_andRefusedOutOfRange() throws Exception {
    try (AuditLog log = AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(sink)
        .build()) {
      anonymous(log, "203.0.113.7", 100);
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.events()).hasSize(60);
    }
    assertThatThrownBy(() -> Fixtures.log().anonymousEventsPerAddress(0).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("anonymous events per address");
    assertThatThrownBy(
            () -> Fixtures.log().anonymousEventWindow(Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("anonymous event window");
  }
}
