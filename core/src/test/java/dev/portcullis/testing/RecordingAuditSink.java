package dev.portcullis.testing;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditSink;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

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
public final class RecordingAuditSink implements AuditSink {
  private final List<AuditEvent> events = new ArrayList<>();
  private boolean closed;

  @Override
  public synchronized void accept(AuditEvent event) {
    if (closed) {
      throw new IllegalStateException("event delivered after close: " + event);
    }
    events.add(event);
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  /** Everything recorded so far, in order. */
  public synchronized List<AuditEvent> events() {
    return List.copyOf(events);
  }

  /** The single event of {@code type}; fails if there is none or more than one. */
  public AuditEvent assertOnce(AuditEventType type) {
    return assertOnce(type, e -> true);
  }

  /**
   * The single event of {@code type} that satisfies {@code fields}; fails if there is none or more than one, listing
   * what was recorded.
   */
  public synchronized AuditEvent assertOnce(AuditEventType type, Predicate<? super AuditEvent> fields) {
    List<AuditEvent> matching =
        events.stream().filter(e -> e.type().equals(type)).filter(fields).collect(Collectors.toList());
    if (matching.size() != 1) {
      throw new AssertionError(
          "expected exactly one " + type + " event with the given fields, found " + matching.size() + describe());
    }
    return matching.get(0);
  }

  /** Fails if any event of {@code type} was recorded. */
  public synchronized void assertNone(AuditEventType type) {
    if (events.stream().anyMatch(e -> e.type().equals(type))) {
      throw new AssertionError("expected no " + type + " event" + describe());
    }
  }

  private String describe() {
    StringBuilder out = new StringBuilder("; recorded:");
    if (events.isEmpty()) {
      out.append(" nothing");
    }
    for (AuditEvent e : events) {
      out.append(System.lineSeparator()).append("  ").append(e);
    }
    return out.toString();
  }
}
