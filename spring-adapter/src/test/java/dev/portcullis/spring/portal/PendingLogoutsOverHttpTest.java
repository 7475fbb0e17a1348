package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.testing.RecordingAuditSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * {@code portcullis.login.max-pending-logouts} and the pending logouts in the health endpoint and the metrics, in a
 * running application on embedded Tomcat: with a bound of 1 and a revocation store that refuses writes, the second
 * logout drops the first (audited), and the health details and meters say what is pending and what was dropped.
 */
@SpringBootTest(
    classes = {TestPortal.class, PendingLogoutsOverHttpTest.RefusingRevocations.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.login.max-pending-logouts=1",
      "management.endpoint.health.show-details=always"
    })
class PendingLogoutsOverHttpTest {
  /** The application's revocation store, in memory, whose writes fail while {@link #down} is set. */
  @TestConfiguration(proxyBeanMethods = false)
  static class RefusingRevocations {
    static final AtomicBoolean down = new AtomicBoolean();

    @Bean
    RevocationStore refusingRevocations(InstantSource clock) {
      RevocationStore memory = RevocationStore.inMemory(clock);
      return new RevocationStore() {
        @Override
        public void revoke(String ticketId, Instant expiresAt) {
          if (down.get()) {
            throw new StoreUnavailableException("revocation store refuses writes (test)", null);
          }
          memory.revoke(ticketId, expiresAt);
        }

        @Override
        public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
          if (down.get()) {
            throw new StoreUnavailableException("revocation store refuses writes (test)", null);
          }
          memory.revokeAllIssuedBefore(userHandle, cutOff, keepUntil);
        }

        @Override
        public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
          return memory.isRevoked(ticketId, userHandle, issuedAt);
        }
      };
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  AuditSink sink;

  @Autowired
  AuditLog audit;

  @Autowired
  MeterRegistry meters;

  private Browser browser() {
    return new Browser("http://127.0.0.1:" + port);
  }

  @Test
  void boundOfOne_dropsTheOlderPendingLogout_andHealthAndMetricsShowIt() throws Exception {
    Browser alice = browser();
    Browser carol = browser();
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(carol.login("carol", "carol-pw").statusCode()).isEqualTo(303);
    Browser probe = browser();
    assertThat(probe.get("/actuator/health").body())
        .contains("\"pendingLogouts\":0", "\"pendingLogoutsDropped\":0")
        .doesNotContain("oldestPendingLogoutSeconds");

    RefusingRevocations.down.set(true);
    try {
      assertThat(alice.logout().statusCode()).isEqualTo(303);
      assertThat(carol.logout().statusCode()).isEqualTo(303);

      assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
      List<AuditEvent> dropped = ((RecordingAuditSink) sink)
          .events().stream()
              .filter(e -> e.type().equals(AuditEventType.LOGOUT))
              .filter(e -> e.reason().orElse("").startsWith("pending logout dropped"))
              .toList();
      assertThat(dropped)
          .as("the older pending logout dropped at the bound of 1")
          .hasSize(1);
      assertThat(dropped.get(0).actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
      assertThat(dropped.get(0).reason())
          .hasValueSatisfying(r -> assertThat(r).contains("1 logouts already pending"));

      HttpResponse<String> health = probe.get("/actuator/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body())
          .contains(
              "\"pendingLogouts\":1",
              "\"pendingLogoutsDropped\":1",
              "\"oldestPendingLogoutSeconds\":");
      assertThat(meters.get("portcullis.logouts.pending").gauge().value()).isEqualTo(1.0);
      assertThat(
              meters.get("portcullis.logouts.pending.dropped").functionCounter().count())
          .isEqualTo(1.0);
    } finally {
      RefusingRevocations.down.set(false);
    }
  }
}
