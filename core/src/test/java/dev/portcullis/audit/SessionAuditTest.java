package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.SessionEvent;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Session events of logged-in users are audited; anonymous session churn is only counted. */
class SessionAuditTest {
  private final MutableClock clock = Fixtures.clock();

  private static SessionEvent event(
      SessionEvent.Type type, String user, SessionEvent.Reason reason) {
    return new SessionEvent(type, Optional.ofNullable(user), Fixtures.T0, reason);
  }

  @Test
  void anonymousChurn_isCountedNotWritten_whileUsersSessionsAreAudited() {
    RecordingAuditSink sink = new RecordingAuditSink();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AuditLog log = AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(sink)
        .build()) {
      SessionAudit audit = new SessionAudit(log);
      AuditMetrics.bind(audit, registry);
      for (int i = 0; i < 1_000; i++) {
        audit.sessionCreated(event(SessionEvent.Type.CREATED, null, SessionEvent.Reason.NONE));
        audit.sessionExpired(event(SessionEvent.Type.EXPIRED, null, SessionEvent.Reason.CAPACITY));
        audit.sessionRefused(
            event(SessionEvent.Type.REFUSED, null, SessionEvent.Reason.RATE_LIMITED));
      }
      audit.sessionCreated(event(SessionEvent.Type.CREATED, "u-alice", SessionEvent.Reason.NONE));
      audit.sessionExpired(
          event(SessionEvent.Type.EXPIRED, "u-alice", SessionEvent.Reason.IDLE_TIMEOUT));

      assertThat(audit.anonymousCreated()).isEqualTo(1_000);
      assertThat(audit.anonymousEnded()).isEqualTo(1_000);
      assertThat(audit.anonymousRefused()).isEqualTo(1_000);
      assertThat(registry
              .get(AuditMetrics.ANONYMOUS_SESSIONS_REFUSED)
              .functionCounter()
              .count())
          .isEqualTo(1_000);
      assertThat(registry
              .get(AuditMetrics.ANONYMOUS_SESSIONS_CREATED)
              .functionCounter()
              .count())
          .isEqualTo(1_000);
      assertThat(registry
              .get(AuditMetrics.ANONYMOUS_SESSIONS_ENDED)
              .functionCounter()
              .count())
          .isEqualTo(1_000);
    }
    assertThat(sink.events())
        .extracting(e -> e.type().name())
        .containsExactly("session_created", "session_expired");
    assertThat(sink.events())
        .allMatch(e -> e.actor().map(AuditEvent.Actor::userHandle).equals(Optional.of("u-alice")));
  }
}
