package dev.portcullis.login;

import dev.portcullis.session.SessionKey;
import dev.portcullis.session.StoredSession;
import java.util.List;

/**
 * The request's server-side session, as a login or a logout changes it. The servlet filter implements it over the
 * session of the request it is handling; {@link PortalLogin} calls it while it decides, and nothing else does.
 *
 * <p><b>Security.</b> {@link #rotateTo} must give the session a new, freshly drawn id and make the old one dead at
 * once (no session fixation); the login's auth ticket is bound to the new id. A session still bound to another user
 * (whose login ended without a logout) must not be handed on: it ends, and the login gets an empty one.
 */
public interface LoginSession {

  /**
   * Gives the request's session (made now if the request has none) to {@code userHandle} under a new id.
   *
   * @return the new id's cookie value, which the auth ticket is bound to
   * @throws dev.portcullis.revocation.StoreUnavailableException when the session store does not answer: the login is
   *     then refused as {@linkplain LoginDecision.Refused#unavailable() unavailable}
   * @throws RuntimeException when the session cannot be rotated otherwise (it ended meanwhile, a response already
   *     sent): the login is then refused
   */
  String rotateTo(String userHandle);

  /**
   * Ends the request's session, if it has one. Never throws for a store failure; the cookie is cleared anyway.
   *
   * @return false when the session store failed to delete the session, which then lives on the server until it times
   *     out; true when it ended or there was none
   */
  boolean end();

  /**
   * The store key of the request's session, or of the session its cookie names when the store could not look it up:
   * what a logout that {@link #end()} could not finish deletes later ({@link PendingLogouts}). Never the id itself.
   * The default, and a request without a session, gives null.
   */
  default SessionKey storeKey() {
    return null;
  }

  /**
   * Ends every session of {@code userHandle} ("log out everywhere").
   *
   * @throws RuntimeException when the session store fails
   */
  void endAllOf(String userHandle);

  /**
   * The live sessions of {@code userHandle} other than the request's own, oldest first, for the concurrent-session
   * limit. The default throws: a login session that cannot list fails a login that needs the limit (fail closed).
   *
   * @throws RuntimeException when the session store fails ({@code StoreUnavailableException} when it does not answer,
   *     which refuses the login as unavailable)
   */
  default List<StoredSession> otherSessionsOf(String userHandle) {
    throw new UnsupportedOperationException("this login session cannot list a user's sessions");
  }

  /**
   * Ends the session filed under {@code key}, one of {@link #otherSessionsOf}. The default throws.
   *
   * @return whether a live session was removed
   * @throws RuntimeException when the session store fails
   */
  default boolean endSession(SessionKey key) {
    throw new UnsupportedOperationException("this login session cannot end other sessions");
  }
}
