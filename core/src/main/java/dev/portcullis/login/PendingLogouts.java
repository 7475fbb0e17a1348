package dev.portcullis.login;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.internal.DaemonThreads;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.ticket.AuthTicket;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's logouts that a store could not finish: the auth ticket to revoke (and with "log out everywhere" the
 * user's cut-off and sessions), and the session to delete, kept until the stores answer again and then finished in the
 * background. {@link PortalLogin#logout(java.util.Optional, boolean, LoginSession, PendingLogouts)} adds to it.
 *
 * <p>Each entry holds only what the server already holds in a form that is no credential: the ticket's id and expiry,
 * the store key of the session (its SHA-256, never the id itself) and the user handle for the audit log. It is tried
 * again after 1 second, then after twice as long each time, at most every 5 minutes, by the injected clock; the tries
 * run on one daemon thread that is started only while something is pending and stops when nothing is. An entry whose
 * ticket (or, for "log out everywhere", the latest ticket its cut-off covers) has expired is dropped: the ticket is
 * dead by then anyway. A finished entry is recorded as a successful {@code logout} or {@code session_revoked} with the
 * reason {@link #COMPLETED}; one that is dropped or left over at {@link #close()} as a failure with the reason why.
 *
 * <p><b>Security.</b> While an entry is pending, {@link #holds(AuthTicket)} and {@link #holdsSession(SessionKey)}
 * answer true for its ticket (and, for "log out everywhere", the user's tickets issued up to the cut-off) and its
 * session, so a copied cookie is refused even when the store answers again before the entry is finished. The list is
 * bounded ({@link PortalLogin.Builder#maxPendingLogouts}, {@value #DEFAULT_CAPACITY} by default): when it is full the
 * oldest entry is dropped, counted ({@link #dropped()}) and recorded as a failure, and its ticket and session live on
 * until they time out. The list is per node and in memory: a restart forgets it, and another node sharing the stores
 * does not see it until the entry is finished.
 */
public final class PendingLogouts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PendingLogouts.class);

  /** The default bound on pending logouts per node. */
  public static final int DEFAULT_CAPACITY = 10_000;

  /** The reason of the audit event of a logout finished in the background. */
  public static final String COMPLETED = "completed after the store answered again";

  static final Duration FIRST_WAIT = Duration.ofSeconds(1);
  static final Duration LONGEST_WAIT = Duration.ofMinutes(5);

  /** How often (in real time) the background thread looks for entries due by the injected clock. */
  private static final long TICK_MILLIS = 500;

  private final RevocationStore revocations;
  private final SessionRegistry sessions;
  private final InstantSource clock;
  private final AuditLog audit;
  private final int capacity;

  private final Object lock = new Object();
  /** Oldest first; keyed by ticket id. Guarded by {@link #lock}, as are the two indexes below. */
  private final LinkedHashMap<String, Entry> byTicket = new LinkedHashMap<>();

  private final Map<SessionKey, Entry> bySession = new HashMap<>();
  /** The "log out everywhere" entries, by user: the latest cut-off of each. */
  private final Map<String, Entry> byUser = new HashMap<>();
  /** Read on the request path before anything else: one volatile read when nothing is pending. */
  private volatile boolean empty = true;

  private final AtomicLong dropped = new AtomicLong();
  /** Guarded by {@link #lock}. */
  private boolean ticking;
  /** Guarded by {@link #lock}. */
  private boolean closed;

  /** One try at a time: the background thread's, or a caller's of {@link #retryDue()}. */
  private final Object retrying = new Object();

  private final ScheduledThreadPoolExecutor scheduler;

  private PendingLogouts(
      RevocationStore revocations,
      SessionRegistry sessions,
      InstantSource clock,
      AuditLog audit,
      int capacity) {
    this.revocations = Objects.requireNonNull(revocations, "revocations");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.audit = audit;
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.scheduler =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.named("portcullis-pending-logouts"));
    this.scheduler.setKeepAliveTime(10, TimeUnit.SECONDS);
    this.scheduler.allowCoreThreadTimeOut(true);
    this.scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * The pending logouts of {@code login} (its revocation store, clock and {@link PortalLogin#maxPendingLogouts()}) over
   * {@code sessions}, recorded in {@code audit}.
   *
   * @param audit where finished and dropped logouts are recorded; null to log them only
   */
  public static PendingLogouts create(PortalLogin login, SessionRegistry sessions, AuditLog audit) {
    return new PendingLogouts(
        login.revocations(), sessions, login.clock(), audit, login.maxPendingLogouts());
  }

  static PendingLogouts create(
      RevocationStore revocations,
      SessionRegistry sessions,
      InstantSource clock,
      AuditLog audit,
      int capacity) {
    return new PendingLogouts(revocations, sessions, clock, audit, capacity);
  }

  /** Whether nothing is pending: one volatile read. */
  public boolean isEmpty() {
    return empty;
  }

  /** How many logouts are pending. */
  public int size() {
    synchronized (lock) {
      return byTicket.size();
    }
  }

  /** How many pending logouts were dropped unfinished because the list was full, since this was made. */
  public long dropped() {
    return dropped.get();
  }

  /** The most logouts kept at once ({@link PortalLogin.Builder#maxPendingLogouts}). */
  public int capacity() {
    return capacity;
  }

  /**
   * What an operator watches, now: how many logouts are pending, how many were dropped, the bound, and how long the
   * longest-waiting entry has waited. Takes the list's lock briefly; meant for health checks and metrics, not for the
   * request path.
   */
  public Stats stats() {
    Instant now = clock.instant();
    synchronized (lock) {
      Duration oldest = Duration.ZERO;
      if (!byTicket.isEmpty()) {
        Duration waited = Duration.between(byTicket.values().iterator().next().keptAt, now);
        oldest = waited.isNegative() ? Duration.ZERO : waited;
      }
      return new Stats(byTicket.size(), dropped.get(), capacity, oldest);
    }
  }

  /**
   * Whether {@code ticket} belongs to a pending logout: its own, or one of "log out everywhere" of its user whose
   * cut-off its login (its {@code authTime}, which renewals keep) was made before. Call it only after
   * {@link #isEmpty()} said false.
   */
  public boolean holds(AuthTicket ticket) {
    synchronized (lock) {
      if (byTicket.containsKey(ticket.ticketIdHex())) {
        return true;
      }
      Entry everywhere = byUser.get(ticket.userHandle());
      return everywhere != null && !ticket.authTime().isAfter(everywhere.cutOff);
    }
  }

  /**
   * Whether the session filed under {@code key} is one a pending logout ends. Call it only after {@link #isEmpty()}
   * said false.
   */
  public boolean holdsSession(SessionKey key) {
    synchronized (lock) {
      return bySession.containsKey(key);
    }
  }

  /**
   * Keeps {@code entry}, whose first try has failed, for the background; drops the oldest entry when the list is
   * full. Returns false when nothing can be kept (after {@link #close()}).
   */
  boolean keep(Entry kept) {
    Entry entry = kept;
    Entry evicted = null;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      Entry earlier = byTicket.remove(entry.ticketId);
      if (earlier != null) {
        unindex(earlier);
        if (entry.cutOff == null && earlier.cutOff != null) {
          earlier.absorb(entry);
          entry = earlier;
        } else {
          entry.absorb(earlier);
        }
      } else if (byTicket.size() >= capacity) {
        Iterator<Entry> oldest = byTicket.values().iterator();
        evicted = oldest.next();
        oldest.remove();
        unindex(evicted);
      }
      entry.attempts = 1;
      entry.keptAt = clock.instant();
      entry.nextTry = entry.keptAt.plus(FIRST_WAIT);
      byTicket.put(entry.ticketId, entry);
      index(entry);
      empty = false;
      startTicking();
    }
    if (evicted != null) {
      dropped.incrementAndGet();
      record(
          evicted,
          AuditNote.failure(
              evicted.type(),
              "pending logout dropped: " + capacity
                  + " logouts already pending on this node; the session and auth ticket were not"
                  + " ended"));
    }
    return true;
  }

  /**
   * Tries, now, every entry whose next try is due by the clock; drops those whose ticket has expired. The background
   * thread calls it; tests may too.
   */
  public void retryDue() {
    synchronized (retrying) {
      Instant now = clock.instant();
      List<Entry> due = new ArrayList<>();
      List<Entry> expired = new ArrayList<>();
      synchronized (lock) {
        for (Iterator<Entry> it = byTicket.values().iterator(); it.hasNext(); ) {
          Entry e = it.next();
          if (!e.expiresAt.isAfter(now)) {
            it.remove();
            unindex(e);
            expired.add(e);
          } else if (!e.nextTry.isAfter(now)) {
            due.add(e);
          }
        }
        empty = byTicket.isEmpty();
      }
      for (Entry e : expired) {
        record(
            e,
            AuditNote.failure(
                e.type(),
                "pending logout dropped: the auth ticket expired before the store answered; the"
                    + " session was not ended"));
      }
      for (Entry e : due) {
        boolean done = tryFinish(e);
        synchronized (lock) {
          if (byTicket.get(e.ticketId) != e) {
            continue; // dropped meanwhile
          }
          if (done) {
            byTicket.remove(e.ticketId);
            unindex(e);
            empty = byTicket.isEmpty();
          } else {
            e.attempts++;
            e.nextTry = clock.instant().plus(backoff(e.attempts));
            continue;
          }
        }
        record(e, AuditNote.success(e.type()).withReason(COMPLETED));
      }
    }
  }

  /**
   * Stops the background tries, tries every entry once more and records those still unfinished as failures. Nothing
   * is kept after it.
   */
  @Override
  public void close() {
    List<Entry> left;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      left = new ArrayList<>(byTicket.values());
    }
    scheduler.shutdownNow();
    synchronized (retrying) {
      for (Entry e : left) {
        boolean done = tryFinish(e);
        synchronized (lock) {
          byTicket.remove(e.ticketId);
          unindex(e);
          empty = byTicket.isEmpty();
        }
        record(
            e,
            done
                ? AuditNote.success(e.type()).withReason(COMPLETED)
                : AuditNote.failure(
                    e.type(),
                    "pending logout not finished: the filter stopped before the store answered;"
                        + " the session and auth ticket live until they time out"));
      }
    }
  }

  /**
   * The wait after {@code attempts} failed tries (the logout's own counts as the first): {@link #FIRST_WAIT}, then
   * twice as long after each further one, at most {@link #LONGEST_WAIT}.
   */
  static Duration backoff(int attempts) {
    int shift = Math.min(Math.max(attempts - 1, 0), 20);
    Duration d = FIRST_WAIT.multipliedBy(1L << shift);
    return d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d;
  }

  /** Every part still to do, each on its own: a store that fails does not hold up another. */
  boolean tryFinish(Entry e) {
    if (!e.ticketRevoked) {
      e.ticketRevoked = attempt(() -> revocations.revoke(e.ticketId, e.ticketExpiresAt));
    }
    if (!e.cutOffStored) {
      e.cutOffStored =
          attempt(() -> revocations.revokeAllIssuedBefore(e.userHandle, e.cutOff, e.expiresAt));
    }
    if (!e.userSessionsEnded) {
      e.userSessionsEnded = attempt(() -> sessions.deleteByUser(e.userHandle));
    }
    if (!e.sessionEnded) {
      e.sessionEnded = attempt(() -> sessions.end(e.sessionKey));
    }
    return e.done();
  }

  private static boolean attempt(Runnable part) {
    try {
      part.run();
      return true;
    } catch (RuntimeException e) {
      log.debug("a pending logout's store call failed again: {}", e.getClass().getSimpleName());
      return false;
    }
  }

  private void index(Entry e) {
    if (e.sessionKey != null && !e.sessionEnded) {
      bySession.put(e.sessionKey, e);
    }
    if (e.cutOff != null) {
      Entry other = byUser.get(e.userHandle);
      if (other == null || other.cutOff.isBefore(e.cutOff)) {
        byUser.put(e.userHandle, e);
      }
    }
  }

  private void unindex(Entry e) {
    if (e.sessionKey != null) {
      bySession.remove(e.sessionKey, e);
    }
    if (e.cutOff != null && byUser.remove(e.userHandle, e)) {
      for (Entry other : byTicket.values()) {
        if (other.cutOff != null && other.userHandle.equals(e.userHandle)) {
          index(other);
        }
      }
    }
  }

  /** Guarded by {@link #lock}. */
  private void startTicking() {
    if (ticking) {
      return;
    }
    ticking = true;
    try {
      scheduler.schedule(this::tick, TICK_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      ticking = false;
    }
  }

  private void tick() {
    try {
      retryDue();
    } catch (RuntimeException e) {
      log.error("pending logouts: a try failed: {}", e.getClass().getName());
    }
    synchronized (lock) {
      ticking = false;
      if (!byTicket.isEmpty() && !closed) {
        startTicking();
      }
    }
  }

  private void record(Entry e, AuditNote note) {
    if (note.isFailure()) {
      log.warn("{} of a pending logout: {}", note.type().name(), note.reason().orElse(""));
    }
    if (audit == null) {
      return;
    }
    try {
      AuditEvent.Builder b =
          audit.event(note.type()).actor(AuditEvent.Actor.of(e.userHandle, null));
      note.withAction(e.cutOff != null ? "logout_everywhere" : "logout").applyTo(b);
      audit.emit(b.build());
    } catch (RuntimeException ex) {
      log.error("could not record a pending logout's event: {}", ex.getClass().getName());
    }
  }

  /**
   * A node's pending logouts at one moment, for operators.
   *
   * @param pending how many logouts are pending now: their tickets and sessions are refused on this node meanwhile
   * @param dropped how many were dropped unfinished because the list was full, since the filter started; each was
   *     recorded in the audit log as a failure ({@code pending logout dropped}), and its ticket and session live until
   *     they time out
   * @param capacity the bound ({@link PortalLogin.Builder#maxPendingLogouts})
   * @param oldestWaiting how long the longest-waiting pending logout has waited (by the injected clock); zero when
   *     none is pending
   */
  public record Stats(int pending, long dropped, int capacity, Duration oldestWaiting) {
    public Stats {
      Objects.requireNonNull(oldestWaiting, "oldestWaiting");
    }
  }

  /**
   * One unfinished logout. The flags say which parts are done; only the thread that holds {@link #retrying} (or the
   * request that made the entry, before it is kept) changes them.
   */
  static final class Entry {
    final String ticketId;
    final Instant ticketExpiresAt;
    final String userHandle;
    /** For "log out everywhere": every ticket of the user issued up to here is revoked; null otherwise. */
    final Instant cutOff;
    /** When the entry is no longer needed: the ticket's expiry, or the latest expiry the cut-off covers. */
    final Instant expiresAt;

    volatile SessionKey sessionKey;
    volatile boolean ticketRevoked;
    volatile boolean cutOffStored;
    volatile boolean userSessionsEnded;
    volatile boolean sessionEnded;
    int attempts;
    /**
     * When the entry was last kept; the list is in this order, as an entry kept again moves to its end (and starts
     * its back-off anew).
     */
    Instant keptAt;

    Instant nextTry;

    /**
     * @param cutOff with "log out everywhere", the cut-off; null for one logout
     * @param keepUntil with "log out everywhere", the latest expiry of a ticket the cut-off covers
     * @param sessionKey the store key of the request's session; null when it has none
     */
    Entry(AuthTicket ticket, Instant cutOff, Instant keepUntil, SessionKey sessionKey) {
      this.ticketId = ticket.ticketIdHex();
      this.ticketExpiresAt = ticket.expiresAt();
      this.userHandle = ticket.userHandle();
      this.cutOff = cutOff;
      this.expiresAt =
          cutOff == null || keepUntil.isBefore(ticketExpiresAt) ? ticketExpiresAt : keepUntil;
      this.sessionKey = sessionKey;
      this.cutOffStored = cutOff == null;
      this.userSessionsEnded = cutOff == null;
      this.sessionEnded = sessionKey == null;
    }

    boolean done() {
      return ticketRevoked && cutOffStored && userSessionsEnded && sessionEnded;
    }

    AuditEventType type() {
      return cutOff != null ? AuditEventType.SESSION_REVOKED : AuditEventType.LOGOUT;
    }

    /** Takes over what an earlier entry for the same ticket still had to do. */
    void absorb(Entry earlier) {
      ticketRevoked &= earlier.ticketRevoked;
      if (sessionKey == null || sessionEnded) {
        if (earlier.sessionKey != null && !earlier.sessionEnded) {
          sessionKey = earlier.sessionKey;
          sessionEnded = false;
        }
      }
    }
  }
}
