package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The health check turns unhealthy when a key outlives the maximum age, and names the key without its material. */
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
      PortcullisHealthCheck check =
          new PortcullisHealthCheck(ring, Duration.ofDays(90), audit, clock);
      HealthCheck.Result young = check.execute();
      assertThat(young.isHealthy()).isTrue();
      assertThat(young.getMessage()).contains("active key " + ring.activeKey().idHex());

      clock.advance(Duration.ofDays(91));
      HealthCheck.Result old = check.execute();
      assertThat(old.isHealthy()).isFalse();
      assertThat(old.getMessage())
          .contains("older than")
          .contains(ring.activeKey().idHex());
    }
  }
}
