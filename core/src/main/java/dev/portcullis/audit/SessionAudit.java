package dev.portcullis.audit;

import dev.portcullis.session.SessionEvent;
import dev.portcullis.session.SessionListener;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends session lifecycle events ({@code session_created}, {@code session_renewed}, {@code session_expired}) of
 * logged-in users to an {@link AuditLog}, with the user handle as actor and the expiry reason. Never the session id.
 * Pass it to {@code SessionRegistry.create} and the session store builder.
 *
 * <p>Sessions without a user (anonymous visitors) are only counted ({@link #anonymousCreated()},
 * {@link #anonymousEnded()}, {@link #anonymousRefused()}; {@code AuditMetrics.bind} publishes them), not written line
 * by line: a flood of anonymous requests then costs the audit log nothing, while the counts still show it.
 */
public final class SessionAudit implements SessionListener {
  private final AuditLog audit;
  private final LongAdder anonymousCreated = new LongAdder();
  private final LongAdder anonymousEnded = new LongAdder();
  private final LongAdder anonymousRefused = new LongAdder();

  public SessionAudit(AuditLog audit) {
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  @Override
  public void sessionCreated(SessionEvent event) {
    if (event.userHandle().isEmpty()) {
      anonymousCreated.increment();
      return;
    }
    emit(event);
  }

  @Override
  public void sessionRenewed(SessionEvent event) {
    emit(event);
  }

  @Override
  public void sessionExpired(SessionEvent event) {
    if (event.userHandle().isEmpty()) {
      anonymousEnded.increment();
      return;
    }
    emit(event);
  }

  /** Counted only: a refused session is anonymous, and a flood refuses one per request. */
  @Override
  public void sessionRefused(SessionEvent event) {
    anonymousRefused.increment();
  }

  /** How many anonymous sessions were created since this listener was made. */
  public long anonymousCreated() {
    return anonymousCreated.sum();
  }

  /** How many anonymous sessions expired or were evicted since this listener was made. */
  public long anonymousEnded() {
    return anonymousEnded.sum();
  }

  /**
   * How many new anonymous sessions were not stored since this listener was made, because their client address had
   * made too many.
   */
  public long anonymousRefused() {
    return anonymousRefused.sum();
  }

  private void emit(SessionEvent event) {
    AuditEvent.Builder b = audit.event(AuditEventType.of(event.type().vocabularyName()));
    event.userHandle().ifPresent(u -> b.actor(AuditEvent.Actor.of(u, null)));
    if (event.reason() != SessionEvent.Reason.NONE) {
      b.reason(event.reason().name().toLowerCase(java.util.Locale.ROOT));
    }
    audit.emit(b.build());
  }
}
