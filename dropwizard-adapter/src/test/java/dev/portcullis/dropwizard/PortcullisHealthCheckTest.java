package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.UnavailableRevocationStore;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The health check turns unhealthy when a key outlives the maximum age or a store does not answer, and names the key
 * or the store without key material or the store's detail.
 */
class PortcullisHealthCheckTest {
  @Test
  void keyOlderThanTheMaximumAge_isUnhealthy() {
    MutableClock clock = MutableClock.startingAt2026();
    SecureRandom random = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(7, KeyStatus.ACTIVE, clock.instant(), KeyMaterial.generate(random))
        .build();
    try (AuditLog audit = AuditLog.builder()
        .clock(clock)
        .random(random)
        .auditSink(new RecordingAuditSink())
        .build()) {
      PortcullisHealthCheck check = new PortcullisHealthCheck(
          ring,
          Duration.ofDays(90),
          audit,
          CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build(),
          RevocationStore.inMemory(clock),
          clock);
      HealthCheck.Result young = check.execute();
      assertThat(young.isHealthy()).isTrue();
      assertThat(young.getMessage()).contains("active key " + ring.activeKey().idHex());

      clock.advance(Duration.ofDays(91));
      HealthCheck.Result old = check.execute();
      assertThat(old.isHealthy()).isFalse();
      assertThat(old.getMessage())
          .contains("keys older than 90 days: " + ring.activeKey().idHex())
          .doesNotContain("PT2160H");
    }
  }

  @Test
  void aStoreThatDoesNotAnswer_isUnhealthy_andNamedWithoutDetail() {
    MutableClock clock = MutableClock.startingAt2026();
    SecureRandom random = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(7, KeyStatus.ACTIVE, clock.instant(), KeyMaterial.generate(random))
        .build();
    SessionStore sessions =
        CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build();
    RevocationStore down = new UnavailableRevocationStore("revocation store down: secret detail");
    try (AuditLog audit = AuditLog.builder()
        .clock(clock)
        .random(random)
        .auditSink(new RecordingAuditSink())
        .build()) {
      HealthCheck.Result result = new PortcullisHealthCheck(
              ring, Duration.ofDays(90), audit, sessions, down, clock)
          .execute();
      assertThat(result.isHealthy()).isFalse();
      assertThat(result.getMessage())
          .contains("revocation store unreachable (StoreUnavailableException)")
          .doesNotContain("secret detail");
    }
  }
}
