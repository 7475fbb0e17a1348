package dev.portcullis.audit;

import dev.portcullis.session.SessionEvent;
import dev.portcullis.session.SessionListener;
import java.util.Objects;

/**
 * Sends session lifecycle events ({@code session_created}, {@code session_renewed}, {@code session_expired}) to an
 * {@link AuditLog}, with the user handle as actor and the expiry reason. Never the session id. Pass it to {@code
 * SessionRegistry.create} and the session store builder.
 */
public final class SessionAudit implements SessionListener {
  private final AuditLog audit;

  public SessionAudit(AuditLog audit) {
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  @Override
  public void sessionCreated(SessionEvent event) {
    emit(event);
  }

  @Override
  public void sessionRenewed(SessionEvent event) {
    emit(event);
  }

  @Override
  public void sessionExpired(SessionEvent event) {
    emit(event);
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
