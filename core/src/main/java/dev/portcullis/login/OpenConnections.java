package dev.portcullis.login;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.internal.DaemonThreads;
import dev.portcullis.session.SessionId;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.user.PortalUser;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections that outlive the request that opened them (WebSockets), each closed when the login behind it ends.
 * A request is checked when it arrives; a connection carries no further requests, so it is checked again every
 * {@link PortalLogin#connectionRecheckInterval()} the way a request would be, on what its opening request presented
 * (the session cookie and the auth cookie), and closed on any refusal:
 *
 * <ul>
 *   <li>the login ended on any node: the ticket revoked (logout, "log out everywhere", through the shared revocation
 *       store), the session deleted (logout, ended by its user, idle or absolute timeout), or a logout this node could
 *       not finish yet ({@link PendingLogouts});
 *   <li>the ticket it was opened with expired (the connection lives at most as long as that ticket: the client opens
 *       a new one, with the renewed ticket);
 *   <li>the account was removed, disabled or lost its name, email or role; the current terms of use are not accepted;
 *   <li>the path is no longer allowed to the user (the access check given at {@link #opening}, with the fresh
 *       account: a role removed);
 *   <li>a store or the directory did not answer, or the check failed: a request would be refused then, so the
 *       connection is closed too (fail closed; the client reconnects once the store answers).
 * </ul>
 *
 * <p>A logout or "log out everywhere" on this node closes at once, without waiting for the interval, the connections
 * of that login ({@link #closeLogin}) or of that user ({@link #closeUser}). A connection is closed through the
 * application's {@link Closer} with {@link #POLICY_VIOLATION} and the generic {@link #CLOSE_REASON}; the reason why
 * goes to the audit log ({@link AuditEventType#CONNECTION_CLOSED}, the user as actor).
 *
 * <p>The re-check changes nothing: it reads the session without marking it as accessed, so an open connection does not
 * keep a session alive past its idle timeout, and it renews no ticket ({@link SessionLoginCheck#recheck}). The
 * background thread (a daemon) starts with the first watched connection and stops at {@link #close()}.
 *
 * <p><b>Security.</b> The cookie values an {@link Opening} holds are credentials: they stay in memory while the
 * connection is open, are never logged, never in {@code toString}, and are dropped when the connection is closed or
 * forgotten. A connection the client closes must be forgotten ({@link Watch#close()}), or it is held until its login's
 * next refusal. Not guaranteed: the close reaches the client only as fast as the interval on another node, and a
 * connection opened in the moment between its request's check and {@link #watch} is checked at the next interval.
 */
public final class OpenConnections implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpenConnections.class);

  /** The default interval of the re-check. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  /** The shortest interval of the re-check {@link PortalLogin.Builder#connectionRecheckInterval} accepts. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** The longest interval of the re-check {@link PortalLogin.Builder#connectionRecheckInterval} accepts. */
  public static final Duration MAX_INTERVAL = Duration.ofHours(1);

  /** Whether {@code interval} is one the re-check accepts: from {@link #MIN_INTERVAL} to {@link #MAX_INTERVAL}. */
  public static boolean allowsInterval(Duration interval) {
    return interval.compareTo(MIN_INTERVAL) >= 0 && interval.compareTo(MAX_INTERVAL) <= 0;
  }

  /** The WebSocket close code a connection is closed with: 1008, policy violation. */
  public static final int POLICY_VIOLATION = 1008;

  /** The reason sent with the close: generic; the audit log has the detail. */
  public static final String CLOSE_REASON = "Login ended";

  private final SessionLoginCheck check;
  private final SessionRegistry sessions;
  private final TermsOfUse terms;
  private final AuditLog audit;
  private final Duration interval;
  private final Set<Watch> open = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private ScheduledThreadPoolExecutor scheduler;
  private boolean closed;

  private OpenConnections(
      SessionRegistry sessions, PortalLogin login, PendingLogouts pending, AuditLog audit) {
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(login, "login");
    this.check = pending == null
        ? SessionLoginCheck.create(sessions, login)
        : SessionLoginCheck.create(sessions, login, pending);
    this.terms = login.terms();
    this.audit = audit;
    this.interval = login.connectionRecheckInterval();
  }

  /**
   * The open connections of {@code login} over {@code sessions}, checked every
   * {@link PortalLogin#connectionRecheckInterval()}.
   *
   * @param pending this node's unfinished logouts, whose tickets and sessions are refused; null for none
   * @param audit where closes are recorded; null for nowhere
   */
  public static OpenConnections create(
      SessionRegistry sessions, PortalLogin login, PendingLogouts pending, AuditLog audit) {
    return new OpenConnections(sessions, login, pending, audit);
  }

  /** Closes one connection, for example a WebSocket session with this close code and reason. */
  @FunctionalInterface
  public interface Closer {
    /**
     * Closes the connection. Called at most once, from the thread of the re-check or of the logout; an exception is
     * logged and the connection forgotten.
     */
    void close(int code, String reason) throws Exception;
  }

  /**
   * What a request that opens a connection presented and was authenticated with: its cookie values, its login, and the
   * access check of its path. Opaque; it holds credentials and shows none.
   */
  public static final class Opening {
    private final OpenConnections owner;
    private final String sessionCookieValue;
    private final List<String> authCookieValues;
    private final String userHandle;
    private final String ticketId;
    private final SessionKey sessionKey;
    private final Predicate<PortalUser> access;

    private Opening(
        OpenConnections owner,
        String sessionCookieValue,
        List<String> authCookieValues,
        String userHandle,
        String ticketId,
        SessionKey sessionKey,
        Predicate<PortalUser> access) {
      this.owner = owner;
      this.sessionCookieValue = sessionCookieValue;
      this.authCookieValues = authCookieValues;
      this.userHandle = userHandle;
      this.ticketId = ticketId;
      this.sessionKey = sessionKey;
      this.access = access;
    }

    /** As {@link OpenConnections#watch}, with the connections this opening was taken for. */
    public Watch watch(Closer closer) {
      return owner.watch(this, closer, user -> true);
    }

    /**
     * As {@link #watch(Closer)}, the connection also closed at a re-check when {@code alsoAllowed} refuses the user
     * as the re-check finds them: an adapter's own access rule for the connection, such as a route's roles.
     */
    public Watch watch(Closer closer, Predicate<PortalUser> alsoAllowed) {
      return owner.watch(this, closer, alsoAllowed);
    }

    /** The user handle of the login; no credential. */
    public String userHandle() {
      return userHandle;
    }

    @Override
    public String toString() {
      return "OpenConnections.Opening[user=" + userHandle + "]";
    }
  }

  /**
   * What an authenticated request that opens a connection presented.
   *
   * @param sessionCookieValue the request's session cookie value, whose session the ticket is bound to
   * @param authCookieValue the auth cookie value the request holds from now on (the renewal, when its check renewed
   *     the ticket)
   * @param ticket the ticket of {@code authCookieValue}
   * @param access whether the request's path is still allowed to the user, asked with the account as the re-check
   *     finds it; {@code u -> true} when the path needs a login only
   * @throws IllegalArgumentException when the session cookie value is not a session id the ticket is bound to
   */
  public Opening opening(
      String sessionCookieValue,
      String authCookieValue,
      AuthTicket ticket,
      Predicate<PortalUser> access) {
    Objects.requireNonNull(ticket, "ticket");
    Objects.requireNonNull(authCookieValue, "authCookieValue");
    Objects.requireNonNull(access, "access");
    SessionId id = sessions.idOf(sessionCookieValue);
    if (id == null || !ticket.isBoundTo(id)) {
      throw new IllegalArgumentException("the ticket is not bound to the session cookie's session");
    }
    return new Opening(
        this,
        sessionCookieValue,
        List.of(authCookieValue),
        ticket.userHandle(),
        ticket.ticketIdHex(),
        id.storeKey(),
        access);
  }

  /**
   * Watches the connection {@code opening}'s request opened: it is closed through {@code closer} when its login ends.
   * After {@link #close()} the connection is closed at once (nothing would check it any more).
   *
   * @return the watch; close it when the connection closes, so that it is forgotten
   */
  public Watch watch(Opening opening, Closer closer) {
    return watch(opening, closer, user -> true);
  }

  /**
   * As {@link #watch(Opening, Closer)}, the connection also closed at a re-check when {@code alsoAllowed} refuses the
   * user as the re-check finds them (an adapter's own access rule, such as a route's roles).
   */
  public Watch watch(Opening opening, Closer closer, Predicate<PortalUser> alsoAllowed) {
    if (Objects.requireNonNull(opening, "opening").owner != this) {
      throw new IllegalArgumentException("the opening was taken for other connections");
    }
    Watch w = new Watch(
        opening,
        Objects.requireNonNull(closer),
        Objects.requireNonNull(alsoAllowed, "alsoAllowed"));
    synchronized (lock) {
      if (!closed) {
        open.add(w);
        if (scheduler == null) {
          scheduler = new ScheduledThreadPoolExecutor(
              1, DaemonThreads.named("portcullis-open-connections"));
          scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
          scheduler.scheduleWithFixedDelay(
              this::recheckGuarded,
              interval.toMillis(),
              interval.toMillis(),
              TimeUnit.MILLISECONDS);
        }
        return w;
      }
    }
    closeConnection(w);
    return w;
  }

  /** How many connections are watched now. */
  public int size() {
    return open.size();
  }

  /**
   * Checks every watched connection now, as the background thread does every interval, and closes those refused.
   * Also for an application that has just changed an account or the access rules and wants the change to reach open
   * connections at once.
   */
  public void recheck() {
    for (Watch w : open) {
      recheck(w);
    }
  }

  private void recheckGuarded() {
    try {
      recheck();
    } catch (RuntimeException e) {
      log.error("the re-check of open connections failed", e);
    }
  }

  private void recheck(Watch w) {
    Opening o = w.opening;
    String refusal;
    try {
      refusal = refusal(o, w.alsoAllowed);
    } catch (RuntimeException e) {
      refusal = "check failed: " + e.getClass().getSimpleName();
    }
    if (refusal != null && open.remove(w)) {
      record(o.userHandle, AuditNote.failure(AuditEventType.CONNECTION_CLOSED, refusal));
      closeConnection(w);
    }
  }

  /** Why the connection must close, or null while its login stands. */
  private String refusal(Opening o, Predicate<PortalUser> alsoAllowed) {
    AuthCheck result = check.recheck(o.sessionCookieValue, o.authCookieValues);
    if (result instanceof AuthCheck.Anonymous anonymous) {
      return anonymous
          .audit()
          .map(n -> n.type().name() + ": " + n.reason().orElse(""))
          .orElse("not logged in");
    }
    PortalUser user = ((AuthCheck.Authenticated) result).user();
    if (!user.handle().equals(o.userHandle)) {
      return "logged in as another user";
    }
    if (terms.needsAcceptance(user)) {
      return "current terms of use not accepted";
    }
    if (!o.access.test(user)) {
      return "access_denied: missing role for this path";
    }
    if (!alsoAllowed.test(user)) {
      return "access_denied: refused by the connection's own rule";
    }
    return null;
  }

  /**
   * Closes at once this node's connections of one login, as its logout ends it: those opened with {@code session}'s
   * cookie or with {@code ticket}.
   *
   * @param ticket the ticket the logout ended, or null
   * @param session the session the logout ended, or null
   * @return how many were closed
   */
  public int closeLogin(AuthTicket ticket, SessionId session) {
    String ticketId = ticket == null ? null : ticket.ticketIdHex();
    SessionKey key = session == null ? null : session.storeKey();
    return closeWhere(
        o -> (ticketId != null
                && o.userHandle.equals(ticket.userHandle())
                && o.ticketId.equals(ticketId))
            || (key != null && o.sessionKey.equals(key)),
        "logout");
  }

  /**
   * Closes at once this node's connections opened with the session filed under {@code sessionKey}, as the session is
   * ended without a logout: by the user's "end this session" ({@link dev.portcullis.session.SessionRegistry#endSession})
   * or by the concurrent-session limit ({@link SessionLimit#END_OLDEST}).
   *
   * @return how many were closed
   */
  public int closeSession(SessionKey sessionKey) {
    Objects.requireNonNull(sessionKey, "sessionKey");
    return closeWhere(o -> o.sessionKey.equals(sessionKey), "session_ended");
  }

  /**
   * Closes at once this node's connections of {@code userHandle}, as "log out everywhere" ends all of that user's
   * logins.
   *
   * @return how many were closed
   */
  public int closeUser(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    return closeWhere(o -> o.userHandle.equals(userHandle), "logout_everywhere");
  }

  private int closeWhere(Predicate<Opening> which, String action) {
    int closed = 0;
    for (Watch w : open) {
      if (which.test(w.opening) && open.remove(w)) {
        record(
            w.opening.userHandle,
            AuditNote.success(AuditEventType.CONNECTION_CLOSED)
                .withAction(action)
                .withReason("login ended by " + action.replace('_', ' ')));
        closeConnection(w);
        closed++;
      }
    }
    return closed;
  }

  private void closeConnection(Watch w) {
    try {
      w.closer.close(POLICY_VIOLATION, CLOSE_REASON);
    } catch (Exception e) {
      log.warn("could not close an open connection: {}", e.getClass().getName());
    }
  }

  private void record(String userHandle, AuditNote note) {
    log.debug("open connection closed: {}", note.reason().orElse(""));
    if (audit == null) {
      return;
    }
    try {
      AuditEvent.Builder b = audit.event(note.type()).actor(AuditEvent.Actor.of(userHandle, null));
      note.applyTo(b);
      audit.emit(b.build());
    } catch (RuntimeException e) {
      log.error("could not record an open connection's close: {}", e.getClass().getName());
    }
  }

  /** Stops the re-check and forgets every connection; the connections themselves are left to their server. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
    }
    open.clear();
  }

  /** One watched connection. */
  public final class Watch implements AutoCloseable {
    private final Opening opening;
    private final Closer closer;
    private final Predicate<PortalUser> alsoAllowed;

    private Watch(Opening opening, Closer closer, Predicate<PortalUser> alsoAllowed) {
      this.opening = opening;
      this.closer = closer;
      this.alsoAllowed = alsoAllowed;
    }

    /** Whether the connection is still watched: not closed by a refusal or a logout, and not forgotten. */
    public boolean watched() {
      return open.contains(this);
    }

    /** Forgets the connection (it closed); idempotent. */
    @Override
    public void close() {
      open.remove(this);
    }

    @Override
    public String toString() {
      return "OpenConnections.Watch[user=" + opening.userHandle + "]";
    }
  }
}
