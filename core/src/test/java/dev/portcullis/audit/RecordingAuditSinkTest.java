package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

class RecordingAuditSinkTest {

  @Test
  void assertOnce_passesForExactlyOneMatch_andFailsForNoneOrTwo() {
    RecordingAuditSink sink = new RecordingAuditSink();
    sink.accept(Fixtures.event(AuditEventType.LOGOUT)
        .actor(AuditEvent.Actor.of("u-1", null))
        .build());
    sink.accept(Fixtures.event(AuditEventType.ACCESS_DENIED).resource("/a").build());
    sink.accept(Fixtures.event(AuditEventType.ACCESS_DENIED).resource("/b").build());

    assertThat(sink.assertOnce(AuditEventType.LOGOUT).actor()).isPresent();
    assertThat(sink.assertOnce(
                AuditEventType.ACCESS_DENIED, e -> e.resource().orElseThrow().equals("/b"))
            .resource())
        .contains("/b");
    assertThatThrownBy(() -> sink.assertOnce(AuditEventType.ACCESS_DENIED))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("found 2")
        .hasMessageContaining("/a");
    assertThatThrownBy(() -> sink.assertOnce(AuditEventType.SSO_LINK))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("found 0");
    assertThatThrownBy(
            () -> sink.assertOnce(AuditEventType.LOGOUT, e -> e.actor().isEmpty()))
        .isInstanceOf(AssertionError.class);
    sink.assertNone(AuditEventType.SSO_LINK);
    assertThatThrownBy(() -> sink.assertNone(AuditEventType.LOGOUT))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void eventAfterClose_failsTheDelivery() {
    RecordingAuditSink sink = new RecordingAuditSink();
    sink.close();
    assertThatThrownBy(() -> sink.accept(Fixtures.event(AuditEventType.LOGOUT).build()))
        .isInstanceOf(IllegalStateException.class);
  }
}
