package dev.portcullis.login;

/**
 * What a login does when its user already has the most concurrent sessions allowed
 * ({@link PortalLogin.Builder#maxSessionsPerUser}).
 */
public enum SessionLimit {
  /**
   * The user's oldest sessions are ended to make room, and the login goes ahead; audited as
   * {@code session_limit_ended}.
   */
  END_OLDEST,
  /** The login is refused with the usual generic message; audited as {@code session_limit_refused}. */
  REFUSE_NEW
}
