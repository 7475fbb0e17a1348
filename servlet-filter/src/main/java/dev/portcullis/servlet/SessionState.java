package dev.portcullis.servlet;

import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginSession;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionId;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.StoredSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The session side of one request: what the cookie led to, the session the application uses, and the cookie that must
 * go out (queued on the {@link Exchange}, like every cookie). It is also the {@link LoginSession} through which the
 * core's login and logout decisions rotate and end sessions. Confined to one thread at a time like its
 * {@link Exchange}; {@link #beforeCommit()} runs under the exchange's lock.
 */
class SessionState implements LoginSession, Runnable {
  /** The state before (or without) a session stage: no session, and none can be made. */
  static final SessionState NONE = new SessionState(
      null, null, new SessionLookup.Absent(), false, false, AuditTrail.NONE, null, null);

  private final SessionRegistry registry;
  private final Exchange exchange;
  private final SessionLookup requested;
  private final boolean cookiePresented;
  /**
   * Whether the browser's cookie, a well-formed id naming no stored session, stays: when the session cookie does the
   * cookie check, it is the value the login form's token is bound to.
   */
  private final boolean keepUnknownCookie;

  private final AuditTrail audit;
  /** This node's watched connections (WebSockets); null without login. */
  private final OpenConnections connections;
  /** Moves the request's login with its session when the application changes the id; null without login. */
  private final LoginRebinding rebinding;

  private Session current;
  /** The id whose cookie the browser holds or has been sent in this response; null for none. */
  private SessionId cookieId;

  private boolean expiredCookieSent;
  /** Whether this response gives the browser an id that names no stored session ({@link #giveUnstoredId}). */
  private boolean unstoredIdGiven;
  /**
   * Whether the store did not answer as a login rotated the session, or as {@link #storeNow} saved it: what needed it
   * did not happen, and the browser keeps the cookie it sent, as it does when the store cannot look the session up.
   */
  private boolean rotationUnavailable;
  /**
   * The id the cookie carries when the store could not look it up ({@link SessionLookup.Unavailable}); null
   * otherwise. A logout deletes that session, or leaves its store key to the pending logouts.
   */
  private SessionId unreachableId;
  /**
   * The session the cookie named, bound to a user this request is not authenticated as ({@link #withholdBound}):
   * the application does not see it, but a logout still ends it. Null otherwise.
   */
  private Session withheld;
  /** Whether {@link #withholdBound} ended the session the cookie named. */
  private boolean boundSessionEnded;
  /**
   * Whether the cookie carries an id that a logged-in request moved the session away from a moment ago
   * ({@link SessionRegistry#wasMoved}): the browser may hold the new pair by now, so the answer leaves its cookies.
   */
  private boolean movedIdSent;

  /**
   * @param keepUnknownCookie whether the browser keeps its cookie when it names no stored session (a well-formed id
   *     sent when the session cookie does the cookie check)
   * @param audit records what the user does with their sessions ({@link UserSessions})
   * @param connections this node's watched connections, closed when the user ends their session; null for none
   * @param rebinding moves the request's login with its session when the application changes the id; null without
   *     login
   */
  SessionState(
      SessionRegistry registry,
      Exchange exchange,
      SessionLookup requested,
      boolean cookiePresented,
      boolean keepUnknownCookie,
      AuditTrail audit,
      OpenConnections connections,
      LoginRebinding rebinding) {
    this.rebinding = rebinding;
    this.registry = registry;
    this.exchange = exchange;
    this.requested = requested;
    this.cookiePresented = cookiePresented;
    this.keepUnknownCookie = keepUnknownCookie;
    this.audit = audit;
    this.connections = connections;
    if (requested instanceof SessionLookup.Found found) {
      this.current = found.session();
      this.cookieId = found.session().id();
    }
  }

  /** The session, making one if {@code create}; null when there is none and none was asked for. */
  Session session(boolean create) {
    if (current != null && current.isValid()) {
      return current;
    }
    if (!create) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("sessions are not enabled in this PortcullisFilter");
    }
    if (exchange.response().isCommitted()) {
      throw new IllegalStateException(
          "cannot create a session after the response has been committed");
    }
    current = registry.create();
    return current;
  }

  /** The session the cookie named, if it is still valid. */
  boolean requestedSessionValid() {
    return requested instanceof SessionLookup.Found found
        && found.session() == current
        && current.isValid();
  }

  /**
   * Whether the session store did not answer for the cookie's session: the request has none, and the browser keeps
   * its cookies for when the store answers again.
   */
  boolean requestedSessionUnavailable() {
    return requested instanceof SessionLookup.Unavailable;
  }

  Session requestedSession() {
    return requested instanceof SessionLookup.Found found ? found.session() : null;
  }

  /**
   * Withholds the session the cookie named, bound to a user this request is not authenticated as: the application sees
   * no session, and one it asks for is a new, empty one whose cookie replaces the browser's. A logout in this request
   * still ends the withheld session, and the request's CSRF token may still be the one it holds (a form the site gave
   * this browser).
   *
   * <p>Security: nothing the application kept for a user reaches a request that is not that user's, whether its auth
   * cookie is missing, expired, revoked or names an account that may no longer log in.
   *
   * @param end whether the session is ended now (deleted from the store) and its cookie expired; otherwise the browser
   *     keeps the cookie, and the session is its user's again at a request that is authenticated as that user (the
   *     same browser once a store answers again, say). A delete the store fails leaves the session to time out,
   *     withheld from every request but its user's.
   * @return whether the session was ended, when {@code end}
   */
  boolean withholdBound(boolean end) {
    Session session = requestedSession();
    if (session == null || session != current) {
      return false;
    }
    current = null;
    if (end) {
      boundSessionEnded = true;
      return invalidate(session);
    }
    withheld = session;
    return false;
  }

  /**
   * Whether the request's session cookie named a session bound to a user that {@link #withholdBound} ended: its
   * cookie goes out expired, so a login form must not bind its token to it.
   */
  boolean boundSessionEnded() {
    return boundSessionEnded;
  }

  /** The request's session, or else the one withheld from it ({@link #withholdBound}); null for neither. */
  Session sessionOrWithheld() {
    Session session = session(false);
    return session != null ? session : withheld;
  }

  void changeId() {
    registry.changeId(changeable());
  }

  /** The session whose id may change now: there is one, and the response can still take its cookie. */
  private Session changeable() {
    Session session = session(false);
    if (session == null) {
      throw new IllegalStateException("there is no session to change the id of");
    }
    if (exchange.response().isCommitted()) {
      throw new IllegalStateException(
          "cannot change the session id after the response has been committed");
    }
    return session;
  }

  /**
   * The application's {@code request.changeSessionId()}: the session gets a new id, and a login bound to it moves
   * with it ({@link LoginRebinding}), so that the browser gets the new session cookie and an auth cookie for the new id
   * in this response. Refused before anything changes when there is no session or the response has committed (the
   * cookies could no longer go out): the browser keeps the pair it holds, which still works.
   *
   * @return the session after the change
   */
  Session changeIdForApplication() {
    Session session = changeable();
    boolean loginFollows = rebinding != null && LoginRebinding.follows(exchange, session.id());
    if (loginFollows) {
      // The browser's requests under way with the old pair must not remove the new one.
      registry.moveToNewId(session);
      rebinding.moved(exchange, session.id());
    } else {
      registry.changeId(session);
    }
    return session;
  }

  /**
   * {@inheritDoc} The user's handle goes in first, so that the rotation's {@code session_renewed} event names the
   * user; the old id dies with the rotation. The client's address and browser family are recorded with it, for the
   * user's list of sessions.
   *
   * <p>The session is stored now, not only as the response commits: a store that cannot take it refuses the login
   * (the login decides after this returns), rather than a login being recorded and answered as a success while no
   * session exists for its auth cookie. The session is then invalid, so no cookie goes out for it, and the browser
   * keeps the cookie it sent.
   *
   * <p>A session still bound to another user (whose login ended without a logout: the ticket expired, or the account
   * was disabled, removed or changed so that it may no longer log in) is not handed on: it ends, and the login starts
   * an empty session, so that nothing the application kept for that user reaches this one.
   *
   * @throws StoreUnavailableException when the store does not rotate or save the session
   */
  @Override
  public String rotateTo(String userHandle) {
    Session session = session(true);
    if (session.userHandle().filter(bound -> !bound.equals(userHandle)).isPresent()) {
      // A delete the store failed leaves the old session to time out; the browser moves on
      // to the new one either way.
      invalidate(session);
      session = session(true);
    }
    if (withheld != null && withheld.userHandle().filter(userHandle::equals).isPresent()) {
      // The user logs in again in a browser whose old session was withheld: nothing needs it.
      invalidate(withheld);
      withheld = null;
    }
    session.setUserHandle(userHandle);
    registry.recordClient(
        session, exchange.clientAddress(), exchange.original().getHeader("User-Agent"));
    try {
      changeId();
    } catch (StoreUnavailableException e) {
      rotationUnavailable = true;
      throw e;
    }
    Session rotated = session(false);
    if (rotated == null || !registry.save(rotated, exchange.clientAddress())) {
      rotationUnavailable = true;
      throw new StoreUnavailableException(
          "the session store did not save the logged-in session", null);
    }
    return rotated.id().cookieValue();
  }

  /**
   * Stores the request's session now, not only as the response commits: for state that a redirect about to go out
   * depends on (a single sign-on authorization under way), which must not be sent when no stored session holds it.
   * When the store does not take it, the browser keeps the cookie it sent, as when a login's rotation fails.
   *
   * @return false when there is no session, the store failed or no longer holds it, or the session stays
   *     request-scoped (its client has had its share of new anonymous sessions), so that it is not stored
   */
  boolean storeNow() {
    Session session = session(false);
    if (session == null) {
      return false;
    }
    if (!registry.save(session, exchange.clientAddress())) {
      rotationUnavailable = true;
      return false;
    }
    return !session.requestScoped();
  }

  /**
   * The cookie carries an id that a logged-in request moved its session away from a moment ago
   * ({@link SessionRegistry#wasMoved}): this request was sent before the browser had the new pair, and is anonymous,
   * but its answer removes neither the session cookie nor the auth cookie, which by now may be the new ones.
   */
  void movedIdSent() {
    this.movedIdSent = true;
  }

  /** Whether {@link #movedIdSent()} was said of this request. */
  boolean sentMovedId() {
    return movedIdSent;
  }

  /** The store could not look up the session the cookie names, whose id is {@code id}. */
  void unreachable(SessionId id) {
    this.unreachableId = id;
  }

  /**
   * The id the request's session cookie carries, when it names a session: the one found, or the one the store could
   * not look up. Null otherwise.
   */
  SessionId presentedId() {
    Session found = requestedSession();
    return found != null ? found.id() : unreachableId;
  }

  /**
   * {@inheritDoc} With a session the store could not look up, the session the cookie names is deleted now if the
   * store answers; false if it still does not.
   */
  @Override
  public boolean end() {
    Session session = session(false);
    boolean ended = session == null || invalidate(session);
    if (withheld != null) {
      ended &= invalidate(withheld);
      withheld = null;
    }
    if (unreachableId != null) {
      try {
        registry.end(unreachableId.storeKey());
      } catch (RuntimeException e) {
        return false;
      }
    }
    return ended;
  }

  @Override
  public SessionKey storeKey() {
    if (unreachableId != null) {
      return unreachableId.storeKey();
    }
    Session session = sessionOrWithheld();
    return session != null ? session.id().storeKey() : null;
  }

  /** {@inheritDoc} The request's own session, if it is stored, is not among them. */
  @Override
  public List<StoredSession> otherSessionsOf(String userHandle) {
    if (registry == null) {
      return List.of();
    }
    Session own = session(false);
    SessionKey ownKey = own == null ? null : own.id().storeKey();
    List<StoredSession> others = new ArrayList<>();
    for (StoredSession s : registry.sessionsOf(userHandle)) {
      if (!s.key().equals(ownKey)) {
        others.add(s);
      }
    }
    return others;
  }

  @Override
  public boolean endSession(SessionKey key) {
    if (registry == null || !registry.end(key)) {
      return false;
    }
    // Ended without a logout (the concurrent-session limit): its open connections here end now too.
    if (connections != null) {
      connections.closeSession(key);
    }
    return true;
  }

  SessionRegistry registry() {
    return registry;
  }

  AuditTrail audit() {
    return audit;
  }

  /** This node's watched connections (WebSockets); null without login. */
  OpenConnections connections() {
    return connections;
  }

  @Override
  public void endAllOf(String userHandle) {
    if (registry != null) {
      registry.deleteByUser(userHandle);
    }
  }

  /**
   * Queues the session cookie with {@code id}, a fresh id of the session format that names no stored session and
   * never becomes a session's id (a session made later draws its own, and its cookie replaces this one). For the login
   * page when the session cookie does the cookie check: the browser gets a value to bind the login form's token to,
   * and nothing is stored.
   */
  void giveUnstoredId(String id) {
    if (registry == null) {
      throw new IllegalStateException("sessions are not enabled in this PortcullisFilter");
    }
    exchange.setCookie(SetCookie.set(registry.config().cookie(), id));
    unstoredIdGiven = true;
  }

  /**
   * The logout stage has expired {@code expired}, every Portcullis cookie: when the session cookie is among them,
   * nothing more is sent for it in this response.
   */
  void cookiesExpiredByLogout(List<CookieSpec> expired) {
    if (registry == null) {
      return; // NONE, shared by every request without sessions
    }
    String name = registry.config().cookie().name();
    for (CookieSpec spec : expired) {
      if (spec.name().equals(name)) {
        expiredCookieSent = true;
        cookieId = null;
        return;
      }
    }
  }

  Duration idleTimeout() {
    return registry.config().idleTimeout();
  }

  boolean invalidate(Session session) {
    return registry.invalidate(session);
  }

  /** As {@link #beforeCommit()}: the exchange runs it before the response commits. */
  @Override
  public void run() {
    beforeCommit();
  }

  /**
   * Saves what the request changed and queues the right cookie, if the response can still take headers. Idempotent:
   * runs before every possible commit and once more at the end. The client's address goes with the save: the registry
   * limits new anonymous sessions per address.
   */
  void beforeCommit() {
    if (registry == null) {
      return;
    }
    if (current != null && current.isValid()) {
      registry.save(current, exchange.clientAddress());
    }
    if (exchange.responseCommitted()) {
      return;
    }
    CookieSpec cookie = registry.config().cookie();
    if (current != null && current.isValid() && !current.requestScoped()) {
      // The same object is the common case (no new session, no rotation): no need for the
      // constant-time compare.
      SessionId id = current.id();
      if (id != cookieId && !id.equals(cookieId)) {
        exchange.setCookie(SetCookie.set(cookie, id.cookieValue()));
        cookieId = id;
      }
    } else if (cookieId == null && (unstoredIdGiven || keepUnknownCookie)) {
      // The browser keeps (or has just been given) an id that names no stored session: when the
      // session cookie does the cookie check, the login form's token is bound to it.
    } else if ((cookieId != null || cookiePresented)
        && !expiredCookieSent
        && !rotationUnavailable
        && !movedIdSent
        && withheld == null
        && !(requested instanceof SessionLookup.Unavailable && current == null)) {
      // The browser holds a cookie naming no live session (invalidated, expired, unknown or
      // malformed): drop it. A request-scoped session (its client had made too many anonymous ones)
      // gets no cookie either. A cookie the store could not look up, or whose session it could
      // not rotate at a login, stays: its session may be alive once the store answers. So does
      // the cookie of a session withheld from this request: it is its user's at their requests.
      // And a cookie whose session a logged-in request has just moved to a new id: the browser
      // may hold the new one by now.
      exchange.setCookie(SetCookie.expire(cookie));
      expiredCookieSent = true;
      cookieId = null;
    }
  }
}
