package dev.portcullis.audit;

import java.util.Objects;
import java.util.Optional;

/**
 * An audit event that a core decision asks its caller to record: the type, the outcome, and the action and reason
 * when there are any. The caller adds what only it knows (the request id, the client address, the resource and the
 * actor) and emits it with {@link #applyTo(AuditEvent.Builder)}.
 *
 * @param type what happened
 * @param outcome success or failure
 * @param action what was done, for example {@code sso_login}
 * @param reason why, for the operator only; for a failure, always present
 */
public record AuditNote(
    AuditEventType type,
    AuditEvent.Outcome outcome,
    Optional<String> action,
    Optional<String> reason) {

  public AuditNote {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(reason, "reason");
    if (outcome == AuditEvent.Outcome.FAILURE && reason.isEmpty()) {
      throw new IllegalArgumentException("a failure note needs a reason");
    }
  }

  /** A successful {@code type}, without action or reason. */
  public static AuditNote success(AuditEventType type) {
    return new AuditNote(type, AuditEvent.Outcome.SUCCESS, Optional.empty(), Optional.empty());
  }

  /** A failed {@code type} and why. */
  public static AuditNote failure(AuditEventType type, String reason) {
    return new AuditNote(type, AuditEvent.Outcome.FAILURE, Optional.empty(), Optional.of(reason));
  }

  /** This note with {@code action}. */
  public AuditNote withAction(String action) {
    return new AuditNote(type, outcome, Optional.of(action), reason);
  }

  /** This note with {@code reason}. */
  public AuditNote withReason(String reason) {
    return new AuditNote(type, outcome, action, Optional.of(reason));
  }

  public boolean isFailure() {
    return outcome == AuditEvent.Outcome.FAILURE;
  }

  /** Sets this note's outcome, action and reason on {@code event}, a builder for an event of {@link #type()}. */
  public void applyTo(AuditEvent.Builder event) {
    action.ifPresent(event::action);
    if (isFailure()) {
      event.failure(reason.orElseThrow());
    } else {
      reason.ifPresent(event::reason);
    }
  }
}
