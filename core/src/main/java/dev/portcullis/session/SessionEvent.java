package dev.portcullis.session;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened to a session, for audit. Carries the user handle when there is one and never the session
 * id.
 *
 * @param type what happened
 * @param userHandle the logged-in user, if any
 * @param at when the store or registry noticed it
 * @param reason why, for {@link Type#EXPIRED} and {@link Type#REFUSED}; {@link Reason#NONE} otherwise
 */
public record SessionEvent(Type type, Optional<String> userHandle, Instant at, Reason reason) {
  public SessionEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(userHandle, "userHandle");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(reason, "reason");
  }

  /** The kinds of session event, named in the OWASP logging vocabulary by {@link #vocabularyName()}. */
  public enum Type {
    CREATED("session_created"),
    RENEWED("session_renewed"),
    EXPIRED("session_expired"),
    /** A new anonymous session was not stored: its client address had made too many. */
    REFUSED("session_refused");

    private final String vocabularyName;

    Type(String vocabularyName) {
      this.vocabularyName = vocabularyName;
    }

    /** The event name in the audit log, for example {@code session_expired}. */
    public String vocabularyName() {
      return vocabularyName;
    }
  }

  /** Why a session ended without being invalidated, or was not stored. */
  public enum Reason {
    NONE,
    IDLE_TIMEOUT,
    ABSOLUTE_TIMEOUT,
    /** The store was full and dropped the session it was least likely to need. */
    CAPACITY,
    /** The client address had as many new anonymous sessions as it may have in the window. */
    RATE_LIMITED
  }
}
