package dev.portcullis.login;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionId;
import dev.portcullis.session.SessionLookup;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.ticket.TicketCheck;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session lookup and the auth check of one request, together: {@link SessionRegistry#open(String)} and
 * {@link PortalLogin#check} with the same answers, but with the session read and the revocation check in one store
 * round trip when the session store and the revocation store are one backend
 * ({@link SessionRegistry#oneCallLookupWith}), and the two calls otherwise.
 *
 * <p>The auth cookie is opened first (crypto only) and its binding to the session cookie checked before the store is
 * asked; only a ticket bound to the cookie's session is checked for revocation, and only with a session found. A
 * request without an authentic, bound ticket costs what {@link SessionRegistry#open(String)} costs.
 *
 * <p><b>Security.</b> Every check of {@link PortalLogin#check} stays, in its order of precedence: the cookie opens and
 * has not expired, is bound to a session the store holds, is not revoked (the ticket, or its user's tickets issued
 * before a cut-off), and names an account that may still log in. A store that cannot answer means no session and no
 * login (fail closed). An outage is not a refusal, though: the session is {@link SessionLookup.Unavailable}, and a
 * bound ticket's check is an {@link AuthCheck.Anonymous} with {@code storeUnavailable}, which keeps the auth cookie;
 * likewise when a revocation store apart from the session store cannot answer. With {@link PendingLogouts}, the
 * ticket and session of a logout a store could not finish are refused until it is finished.
 */
public final class SessionLoginCheck {
  private static final Logger log = LoggerFactory.getLogger(SessionLoginCheck.class);

  private final SessionRegistry sessions;
  private final PortalLogin login;
  /** The store's own one-round-trip lookup of the session and the revocation; null to ask them apart. */
  private final SessionAndRevocationLookup oneCall;
  /** This node's unfinished logouts, whose tickets and sessions are refused; null for none. */
  private final PendingLogouts pending;
  /** The login's clock, read once per checked request. */
  private final InstantSource clock;

  private SessionLoginCheck(SessionRegistry sessions, PortalLogin login, PendingLogouts pending) {
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.login = Objects.requireNonNull(login, "login");
    this.clock = login.clock();
    this.oneCall = sessions.oneCallLookupWith(login.revocations()).orElse(null);
    this.pending = pending;
  }

  /** The check over {@code sessions} and {@code login}'s revocation store; build it once. */
  public static SessionLoginCheck create(SessionRegistry sessions, PortalLogin login) {
    return new SessionLoginCheck(sessions, login, null);
  }

  /**
   * As {@link #create(SessionRegistry, PortalLogin)}, refusing besides the tickets and sessions of {@code pending}'s
   * unfinished logouts ({@link PendingLogouts#holds}, {@link PendingLogouts#holdsSession}), even once the store
   * answers again and before they are finished. While nothing is pending that costs a request one volatile read.
   */
  public static SessionLoginCheck create(
      SessionRegistry sessions, PortalLogin login, PendingLogouts pending) {
    return new SessionLoginCheck(sessions, login, Objects.requireNonNull(pending, "pending"));
  }

  /**
   * The session {@code cookieValue} names, as {@link SessionRegistry#open(String)} finds it, for a request without an
   * auth cookie: {@link SessionLookup.Absent} when an unfinished logout ends that session.
   */
  public SessionLookup open(String cookieValue) {
    return screened(sessions.open(cookieValue));
  }

  private SessionLookup screened(SessionLookup found) {
    if (found instanceof SessionLookup.Found f
        && endedByPendingLogout(f.session().id(), null)) {
      return SessionLookup.ABSENT;
    }
    return found;
  }

  /**
   * Whether an unfinished logout ends the session {@code id} names or, when given, {@code ticket}. While nothing is
   * pending this is one volatile read ({@link PendingLogouts#isEmpty()}), and the session id is not hashed for it.
   */
  private boolean endedByPendingLogout(SessionId id, AuthTicket ticket) {
    return pending != null
        && !pending.isEmpty()
        && (pending.holdsSession(id.storeKey()) || (ticket != null && pending.holds(ticket)));
  }

  /**
   * The session the session cookie names and who the auth cookie says is logged in.
   *
   * @param sessionCookieValue the one session cookie value the request sent, or null for none
   * @param authCookieValues every value the request sent for the auth cookie, in order; more than one is refused
   */
  public Result check(String sessionCookieValue, List<String> authCookieValues) {
    if (authCookieValues.size() != 1) {
      // None, or duplicates (refused): the general path gives the answer.
      return new Result(
          open(sessionCookieValue), login.openTicket(authCookieValues).refusal());
    }
    return check(sessionCookieValue, authCookieValues.get(0));
  }

  /**
   * {@link #check(String, List)} for a request that sent the auth cookie exactly once, given its one value: a caller
   * that counts the values itself needs no list for them (more than one must go to {@link #check(String, List)}, which
   * refuses them).
   *
   * @param sessionCookieValue the one session cookie value the request sent, or null for none
   * @param authCookieValue the one auth cookie value the request sent
   */
  public Result check(String sessionCookieValue, String authCookieValue) {
    Objects.requireNonNull(authCookieValue, "authCookieValue");
    // One clock reading for the request: the ticket's expiry and half-life, and the in-memory
    // session store's timeouts and last access when it runs on the same clock.
    long now = clock.millis();
    TicketCheck verified = login.verify(authCookieValue, now);
    if (!(verified instanceof TicketCheck.Valid valid)) {
      return new Result(open(sessionCookieValue), PortalLogin.refusalOf(verified));
    }
    AuthTicket ticket = valid.ticket();
    // The id is hashed once: its store key is both the ticket's binding (current tickets) and
    // what the store looks up.
    SessionId id = sessions.idOf(sessionCookieValue);
    if (id == null || !ticket.isBoundTo(id)) {
      return new Result(open(sessionCookieValue), PortalLogin.notBound(ticket));
    }
    SessionLookup session;
    SessionAndRevocationLookup.Revocation revocation;
    if (oneCall != null) {
      SessionRegistry.Opened found =
          sessions.open(id, oneCall, ticket.ticketIdHex(), ticket.userHandle(), ticket.authTime());
      session = found.session();
      revocation = found.revocation();
    } else {
      // The two calls apart, as SessionAndRevocationLookup.separate makes them: the revocation
      // store is asked only with a session, and from the ticket itself when it can answer so.
      session = sessions.open(id, clock, now);
      revocation = SessionAndRevocationLookup.Revocation.UNAVAILABLE;
      if (session instanceof SessionLookup.Found) {
        try {
          revocation = login.revocationOf(ticket);
        } catch (RuntimeException e) {
          log.warn("revocation store failed; treating the request as having no session", e);
          session = SessionLookup.UNAVAILABLE;
        }
      }
    }
    if (session instanceof SessionLookup.Unavailable) {
      // The store did not answer: the session may be alive, so the auth cookie is kept.
      return new Result(session, sessionStoreUnavailable(ticket));
    }
    if (!(session instanceof SessionLookup.Found found)) {
      return new Result(session, PortalLogin.notBound(ticket));
    }
    if (endedByPendingLogout(id, ticket)) {
      // A logout of this ticket or session is not finished yet: the store answers again, but
      // the ticket is not yet revoked or the session not yet deleted.
      return new Result(SessionLookup.ABSENT, pendingLogout(ticket));
    }
    return new Result(
        found,
        login.checkBound(
            ticket, found.session().id().cookieValue(), revocation, valid.pastHalfLife()));
  }

  /**
   * The check of {@link #check} for a connection a request opened earlier (a WebSocket), on the cookie values that
   * request presented: the same refusals in the same order, and besides, a session bound to another user than the
   * ticket's is refused. It changes nothing: the session is read without marking it as accessed
   * ({@link SessionRegistry#peek}), so an open connection does not keep a session alive past its idle timeout, and a
   * ticket past half its lifetime is not renewed (the connection lives until the ticket it was opened with expires).
   *
   * <p><b>Security.</b> A store that does not answer gives an {@link AuthCheck.Anonymous} with
   * {@code storeUnavailable}, as for a request; the caller decides what an outage means for the connection.
   *
   * @param sessionCookieValue the session cookie value the opening request sent
   * @param authCookieValues the auth cookie values the opening request sent
   */
  public AuthCheck recheck(String sessionCookieValue, List<String> authCookieValues) {
    PortalLogin.OpenedTicket opened = login.openTicket(authCookieValues);
    if (opened.refusal() != null) {
      return opened.refusal();
    }
    AuthTicket ticket = opened.ticket();
    SessionId id = sessions.idOf(sessionCookieValue);
    if (id == null || !ticket.isBoundTo(id)) {
      return PortalLogin.notBound(ticket);
    }
    SessionLookup found = sessions.peek(id);
    if (found instanceof SessionLookup.Unavailable) {
      return sessionStoreUnavailable(ticket);
    }
    if (!(found instanceof SessionLookup.Found session)) {
      return PortalLogin.notBound(ticket);
    }
    if (session
        .session()
        .userHandle()
        .filter(u -> !u.equals(ticket.userHandle()))
        .isPresent()) {
      return AuthCheck.Anonymous.refused(
          AuditEventType.AUTHN_TOKEN_INVALID, "session bound to another user", ticket.userHandle());
    }
    if (endedByPendingLogout(id, ticket)) {
      return pendingLogout(ticket);
    }
    return login.checkBound(ticket, id.cookieValue(), login.revocationOf(ticket), false);
  }

  /** The refusal of a ticket whose session the store could not read: the session may be alive, so its cookies stay. */
  private static AuthCheck.Anonymous sessionStoreUnavailable(AuthTicket ticket) {
    return AuthCheck.Anonymous.unavailable(
        AuditEventType.AUTHN_TOKEN_INVALID, "session store unavailable", ticket.userHandle());
  }

  /** The refusal of a ticket or session whose logout is not finished yet ({@link PendingLogouts}). */
  private static AuthCheck.Anonymous pendingLogout(AuthTicket ticket) {
    return AuthCheck.Anonymous.refused(
        AuditEventType.AUTHN_TOKEN_REUSE,
        "auth ticket or session of a pending logout presented",
        ticket.userHandle());
  }

  /** What {@link #check} found: the session lookup and the auth check. */
  public record Result(SessionLookup session, AuthCheck auth) {
    public Result {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(auth, "auth");
    }
  }
}
