package dev.portcullis.session;

/**
 * What asking to end one of the user's own sessions by its handle came to ({@link SessionRegistry#endSession}):
 * {@link Ended}, or {@link Refused} with the reason. A refusal says nothing to the client beyond "not ended"; the
 * reason is for the audit log.
 */
public sealed interface SessionEnd {
  /** The session was deleted from the store; its browser is logged out on its next request. */
  record Ended() implements SessionEnd {}

  /** Nothing was ended. */
  record Refused(Reason reason) implements SessionEnd {}

  /** Why nothing was ended. */
  enum Reason {
    /** The request is not logged in. */
    NOT_LOGGED_IN,
    /**
     * The handle names none of the user's live sessions as listed by this session: forged, another user's, from
     * another session's list, or the session has already ended.
     */
    UNKNOWN_HANDLE,
    /** The handle names the asking session itself: that is a logout, not this. */
    CURRENT_SESSION
  }
}
