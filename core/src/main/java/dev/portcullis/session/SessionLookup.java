package dev.portcullis.session;

/**
 * What a session cookie led to: {@link Found}, {@link Absent} (no cookie, or a well-formed id the store does not
 * hold: unknown, expired or logged out), {@link Malformed} (not an id of the configured format; the store was not
 * asked), or {@link Unavailable} (the store did not answer). Only {@link Found} carries a session; the others never
 * become a session id.
 */
public sealed interface SessionLookup {
  /** The {@link Absent} lookup; it carries nothing, so every request without a session may share it. */
  Absent ABSENT = new Absent();

  /** The {@link Malformed} lookup, shared as {@link #ABSENT} is. */
  Malformed MALFORMED = new Malformed();

  /** The {@link Unavailable} lookup, shared as {@link #ABSENT} is. */
  Unavailable UNAVAILABLE = new Unavailable();

  /** The cookie names a live session. */
  record Found(Session session) implements SessionLookup {}

  /** No live session: no cookie, or the store does not hold that id. */
  record Absent() implements SessionLookup {}

  /** The cookie value is not an id of the configured format. */
  record Malformed() implements SessionLookup {}

  /**
   * The store did not answer (an outage or a timeout). The request has no session, as with {@link Absent}, but the
   * browser keeps its cookie: the session may well be alive, and works again once the store answers.
   */
  record Unavailable() implements SessionLookup {}
}
