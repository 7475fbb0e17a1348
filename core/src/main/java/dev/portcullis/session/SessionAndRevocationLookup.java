package dev.portcullis.session;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The store work of an authenticated request in one call: the session under a key, loaded and touched as
 * {@link SessionStore#load} does, and whether the request's auth ticket is revoked, as
 * {@link RevocationStore#isRevoked} answers. A store that holds both sessions and revocations answers in one round
 * trip ({@link SessionStore#withRevocations}); {@link #of} falls back to the two calls otherwise.
 *
 * <p>The revocation answer is only given with a session: without one the ticket cannot be bound to the request, and
 * {@link Result} reports {@link Revocation#UNAVAILABLE}.
 *
 * <p><b>Security.</b> The answers are those of the two calls, on the same data: an implementation must never report a
 * session the store would not load, nor {@link Revocation#NOT_REVOKED} for a ticket {@code isRevoked} would call
 * revoked. A store that cannot answer throws, and the caller treats the request as having no session (fail closed).
 */
public interface SessionAndRevocationLookup {

  /**
   * The live session under {@code key}, marked as accessed now; and, when there is one, whether the ticket with this
   * id, user and login time is revoked ({@code issuedAt} as {@link RevocationStore#isRevoked} takes it: an auth
   * ticket's {@code authTime}).
   *
   * @throws RuntimeException when the store cannot answer ({@link StoreUnavailableException} for the standard stores)
   */
  Result load(SessionKey key, String ticketId, String userHandle, Instant issuedAt);

  /**
   * The combined lookup of {@code sessions} and {@code revocations}: the store's own single round trip when it offers
   * one for this revocation store, else {@link #separate}.
   */
  static SessionAndRevocationLookup of(SessionStore sessions, RevocationStore revocations) {
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(revocations, "revocations");
    return sessions.withRevocations(revocations).orElseGet(() -> separate(sessions, revocations));
  }

  /**
   * The two calls one after the other: {@link SessionStore#load}, then, only when it found a session,
   * {@link RevocationStore#isRevoked}. A failing load throws; a failing revocation check is reported as
   * {@link Revocation#UNAVAILABLE} with the session.
   */
  static SessionAndRevocationLookup separate(SessionStore sessions, RevocationStore revocations) {
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(revocations, "revocations");
    return (key, ticketId, userHandle, issuedAt) -> {
      Optional<SessionRecord> session = sessions.load(key);
      if (session.isEmpty()) {
        return Result.NO_SESSION;
      }
      Revocation revocation;
      try {
        revocation = revocations.isRevoked(ticketId, userHandle, issuedAt)
            ? Revocation.REVOKED
            : Revocation.NOT_REVOKED;
      } catch (StoreUnavailableException e) {
        revocation = Revocation.UNAVAILABLE;
      }
      return new Result(session, revocation);
    };
  }

  /** What the revocation check said. */
  enum Revocation {
    /** Neither the ticket nor its user's logins made before now are revoked. */
    NOT_REVOKED,
    /** The ticket is revoked, one way or the other. */
    REVOKED,
    /** No answer: the revocation store could not answer, or there was no session to check the ticket for. */
    UNAVAILABLE
  }

  /**
   * The session, if live, and the revocation answer; {@link Revocation#UNAVAILABLE} whenever the session is absent.
   */
  record Result(Optional<SessionRecord> session, Revocation revocation) {
    /** No session, no revocation answer. */
    public static final Result NO_SESSION = new Result(Optional.empty(), Revocation.UNAVAILABLE);

    public Result {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(revocation, "revocation");
      if (session.isEmpty()) {
        revocation = Revocation.UNAVAILABLE;
      }
    }
  }
}
