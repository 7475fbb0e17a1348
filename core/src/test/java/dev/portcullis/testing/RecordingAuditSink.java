package dev.portcullis.testing;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditSink;
import java.util.function.Predicate;

/**
 * An {@link AuditSink} that keeps every event, for asserting what was audited. Strict: an assertion fails with the
 * full list of recorded events, and an event delivered after {@link #close()} fails the delivery (a dispatcher bug).
 * Thread-safe.
 *
 * <pre>{@code
 * AuditEvent e = sink.assertOnce(AuditEventType.LOGOUT, ev -> ev.actor().orElseThrow().userHandle().equals("u-1"));
 * sink.assertNone(AuditEventType.AUTHN_LOGIN_FAIL);
 * }</pre>
 */
public final class RecordingAuditSink extends RecordingSink<AuditEvent> implements AuditSink {

  /** The single event of {@code type}; fails if there is none or more than one. */
  public AuditEvent assertOnce(AuditEventType type) {
    return assertOnce(type, e -> true);
  }

  /**
   * The single event of {@code type} that satisfies {@code fields}; fails if there is none or more than one, listing
   * what was recorded.
   */
  public AuditEvent assertOnce(AuditEventType type, Predicate<? super AuditEvent> fields) {
    return single(
        e -> e.type().equals(type) && fields.test(e), type + " event with the given fields");
  }

  /** Fails if any event of {@code type} was recorded. */
  public void assertNone(AuditEventType type) {
    none(e -> e.type().equals(type), type + " event");
  }
}
