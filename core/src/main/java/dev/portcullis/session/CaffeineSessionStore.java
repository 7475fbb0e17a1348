package dev.portcullis.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.internal.ObjectPool;
import dev.portcullis.internal.Tickers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * The embedded, single-node {@link SessionStore}: a bounded Caffeine cache that expires sessions after the idle and
 * absolute timeouts of its {@link SessionConfig}, on the injected clock.
 *
 * <p>The idle timeout is the cache's expire-after-access; the absolute timeout is checked against the record on every
 * read and write. {@link SessionConfig#maxSessions()} bounds the <em>anonymous</em> sessions (those without a user):
 * when the store is full, an anonymous session is evicted to make room, never a logged-in one, so a flood of anonymous
 * visitors cannot log anybody out. Logged-in sessions are bounded by their timeouts and by what it takes to log in. Expiry and capacity evictions are reported to the listener as {@code session_expired} when the cache notices
 * them: on access, or during its maintenance (after writes, or when {@link #cleanUp()} is called).
 *
 * <p>The cache's maintenance (recording reads for the idle order, expiring, evicting) runs on the threads that use
 * the store, a little at a time, under the cache's own lock; only the listener's calls go to the {@linkplain
 * Builder#executor executor}. Handing the maintenance to a pool woke one of its threads every few reads: over HTTP on
 * two cores that cost about a microsecond of CPU per authenticated request, most of it in the wake-ups.
 *
 * <p><b>Security.</b> Keys are SHA-256 of the ids, so a heap dump does not hold usable cookies. Timeouts are checked
 * against the record on every read as well as by the cache. {@link #deleteByUser} and {@link #rotate} take the
 * per-user index lock before the cache lock, so a session cannot escape a "log out everywhere" by changing its id
 * at the same moment.
 */
public final class CaffeineSessionStore implements SessionStore {
  private final Cache<SessionKey, Entry> cache;
  private final ConcurrentMap<SessionKey, Entry> map;
  /** User handle to the keys of its sessions. May hold dead keys; every reader checks the cache. */
  private final ConcurrentMap<String, Set<SessionKey>> byUser = new ConcurrentHashMap<>();

  private final InstantSource clock;
  private final long idleMillis;
  private final long absoluteMillis;
  private final SessionListener listener;
  private final Executor listenerExecutor;
  private final CallTicker ticker;

  private CaffeineSessionStore(Builder b) {
    this.clock = b.clock;
    this.idleMillis = b.config.idleTimeout().toMillis();
    this.absoluteMillis = b.config.absoluteTimeout().toMillis();
    this.listener = SessionListener.guarded(b.listener);
    this.listenerExecutor = b.executor;
    this.ticker = new CallTicker(clock);
    this.cache = Caffeine.newBuilder()
        // Only anonymous sessions weigh anything: the size bound never evicts a logged-in session.
        .maximumWeight(b.config.maxSessions())
        .weigher((SessionKey k, Entry e) -> e.userHandle == null ? 1 : 0)
        // Idle expiry is Caffeine's own (cheap on reads); the absolute timeout is checked on every
        // read and write, and a session past it that nobody reads goes at its idle expiry.
        .expireAfterAccess(b.config.idleTimeout())
        // Millisecond resolution is plenty for timeouts of minutes, and reading it allocates
        // nothing. A read of a session hands the cache the reading it judged the timeouts at.
        .ticker(ticker)
        // Maintenance on the calling thread; removed() hands the listener's call to the executor.
        .executor(Runnable::run)
        .removalListener(this::removed)
        .build();
    this.map = cache.asMap();
  }

  /** A store for {@code config} on {@code clock}; see {@link Builder} for the optional parts. */
  public static Builder builder(SessionConfig config, InstantSource clock) {
    return new Builder(config, clock);
  }

  @Override
  public Optional<SessionRecord> load(SessionKey key) {
    Entry e = touched(key);
    return e == null ? Optional.empty() : Optional.of(e.toRecord());
  }

  /**
   * {@link #load} of {@code id}'s key as the session itself, with no record, {@code Optional} or {@code Instant}
   * between the entry and the session; null when there is no live session.
   */
  Session loadSession(SessionId id) {
    return loadSession(id, clock.millis());
  }

  /**
   * {@link #loadSession(SessionId)} at {@code nowMillis}, a reading of this store's clock ({@link #usesClock}) that
   * the caller took for its whole request.
   */
  Session loadSession(SessionId id, long nowMillis) {
    Entry e = touched(id.storeKey(), nowMillis);
    return e == null
        ? null
        : Session.loaded(id, e.created, e.lastAccess, e.userHandle, e.attributes);
  }

  /** Whether this store reads its time from {@code clock}, so that a reading of it can stand for the store's own. */
  boolean usesClock(InstantSource clock) {
    return this.clock == clock;
  }

  /** The live entry under {@code key}, marked as accessed now; null when absent or expired (then removed). */
  private Entry touched(SessionKey key) {
    return touched(key, clock.millis());
  }

  private Entry touched(SessionKey key, long now) {
    long[] held = ticker.hold(now);
    Entry e;
    try {
      e = cache.getIfPresent(key);
    } finally {
      CallTicker.release(held);
    }
    if (e == null) {
      return null;
    }
    if (expired(e, now)) {
      if (map.remove(key, e)) {
        reportExpired(e, now);
      }
      return null;
    }
    e.touch(now);
    return e;
  }

  @Override
  public Optional<SessionRecord> peek(SessionKey key) {
    Entry e = cache.policy().getIfPresentQuietly(key);
    if (e == null || expired(e, clock.millis())) {
      return Optional.empty();
    }
    return Optional.of(e.toRecord());
  }

  @Override
  public boolean save(SessionKey key, SessionChanges changes) {
    long now = clock.millis();
    String newUser = changes.userHandleChanged() ? changes.userHandle().orElse(null) : null;
    if (newUser == null) {
      return changes.creates()
          ? map.putIfAbsent(key, Entry.create(now, changes)) == null
          : update(key, changes, now);
    }
    // Logging in: add to the user's index under its lock, so deleteByUser sees the key or runs
    // before the login.
    boolean[] saved = {false};
    byUser.compute(newUser, (user, keys) -> {
      Set<SessionKey> set = keys != null ? keys : ConcurrentHashMap.newKeySet();
      set.removeIf(k -> cache.policy().getIfPresentQuietly(k) == null);
      saved[0] = changes.creates()
          ? map.putIfAbsent(key, Entry.create(now, changes)) == null
          : update(key, changes, now);
      if (saved[0]) {
        set.add(key);
      }
      return set.isEmpty() ? null : set;
    });
    return saved[0];
  }

  private boolean update(SessionKey key, SessionChanges changes, long now) {
    Entry[] dead = {null};
    Entry next = map.computeIfPresent(key, (k, e) -> {
      if (expired(e, now)) {
        dead[0] = e;
        return null;
      }
      return e.apply(changes, now);
    });
    if (dead[0] != null) {
      reportExpired(dead[0], now);
    }
    return next != null;
  }

  @Override
  public boolean delete(SessionKey key) {
    long now = clock.millis();
    Entry e = map.remove(key);
    return e != null && !expired(e, now);
  }

  @Override
  public boolean rotate(SessionKey from, SessionKey to) {
    if (from.equals(to)) {
      return false;
    }
    long now = clock.millis();
    Entry e = map.remove(from);
    if (e == null) {
      return false;
    }
    if (expired(e, now)) {
      reportExpired(e, now);
      return false;
    }
    e.touch(now);
    if (e.userHandle == null) {
      return map.putIfAbsent(to, e) == null;
    }
    // The old key must still be indexed: if deleteByUser took the user's keys meanwhile, the
    // session stays dead.
    boolean[] moved = {false};
    byUser.computeIfPresent(e.userHandle, (user, keys) -> {
      if (keys.remove(from) && map.putIfAbsent(to, e) == null) {
        keys.add(to);
        moved[0] = true;
      }
      return keys.isEmpty() ? null : keys;
    });
    return moved[0];
  }

  @Override
  public Set<SessionKey> findByUser(String userHandle) {
    Set<SessionKey> keys = byUser.get(Objects.requireNonNull(userHandle));
    Set<SessionKey> live = new HashSet<>();
    if (keys != null) {
      long now = clock.millis();
      for (SessionKey k : keys) {
        Entry e = cache.policy().getIfPresentQuietly(k);
        if (e != null && userHandle.equals(e.userHandle) && !expired(e, now)) {
          live.add(k);
        }
      }
    }
    return Set.copyOf(live);
  }

  @Override
  public int deleteByUser(String userHandle) {
    Set<SessionKey> keys = byUser.remove(Objects.requireNonNull(userHandle));
    if (keys == null) {
      return 0;
    }
    long now = clock.millis();
    int[] removed = {0};
    for (SessionKey k : keys) {
      map.computeIfPresent(k, (key, e) -> {
        if (!userHandle.equals(e.userHandle)) {
          return e;
        }
        if (!expired(e, now)) {
          removed[0]++;
        }
        return null;
      });
    }
    return removed[0];
  }

  /** Runs pending maintenance now: expired sessions are removed and reported. */
  public void cleanUp() {
    cache.cleanUp();
  }

  /** About how many sessions the store holds, expired ones not yet cleaned up included. */
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  /**
   * About how many of the held sessions are anonymous (have no user): the store's weighted size, kept by the cache
   * without a scan. Like {@link #estimatedSize()}, an estimate that may count sessions not yet cleaned up.
   */
  public long estimatedAnonymousSize() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  private boolean expired(Entry e, long now) {
    return now - e.lastAccess >= idleMillis || now - e.created >= absoluteMillis;
  }

  private void removed(SessionKey key, Entry e, RemovalCause cause) {
    if (e == null) {
      return;
    }
    if (cause == RemovalCause.EXPIRED || cause == RemovalCause.SIZE) {
      // Called during the cache's maintenance, on a thread serving a request and under the cache's
      // lock: the listener (an audit log that may wait for room) runs elsewhere.
      long now = clock.millis();
      Runnable notice = cause == RemovalCause.EXPIRED
          ? () -> reportExpired(e, now)
          : () -> report(e, SessionEvent.Reason.CAPACITY, now);
      try {
        listenerExecutor.execute(notice);
      } catch (RejectedExecutionException rejected) {
        notice.run(); // an executor that refuses must not lose the event
      }
    }
  }

  private void reportExpired(Entry e, long now) {
    boolean absolute = now - e.created >= absoluteMillis;
    report(
        e, absolute ? SessionEvent.Reason.ABSOLUTE_TIMEOUT : SessionEvent.Reason.IDLE_TIMEOUT, now);
  }

  private void report(Entry e, SessionEvent.Reason reason, long now) {
    listener.sessionExpired(new SessionEvent(
        SessionEvent.Type.EXPIRED,
        Optional.ofNullable(e.userHandle),
        Instant.ofEpochMilli(now),
        reason));
  }

  /**
   * Caffeine's ticker for this store: while a read of a session is under way on a platform thread, the clock reading
   * that read judges the session's timeouts at, so that a request reads the clock once for both; otherwise the clock,
   * as {@link Tickers#of}. The reading the cache gets is the one the store used, never an older one from another call:
   * it is held per thread and dropped when the read returns, so the cache's idle order is exactly the store's and a
   * session is not dropped before its idle timeout. Virtual threads read the clock, so that a thread per request does
   * not make a thread-local per request.
   */
  static final class CallTicker implements Ticker {
    private static final long NONE = Long.MIN_VALUE;

    private final InstantSource clock;
    /** This thread's held reading in epoch milliseconds, {@link #NONE} when none; only JDK classes in the value. */
    private final ThreadLocal<long[]> held = new ThreadLocal<>();

    CallTicker(InstantSource clock) {
      this.clock = clock;
    }

    /** Holds {@code nowMillis} for this thread's cache calls until {@link #release}; null on a virtual thread. */
    long[] hold(long nowMillis) {
      Thread thread = Thread.currentThread();
      if (ObjectPool.isVirtual(thread)) {
        return null;
      }
      long[] slot = held.get();
      if (slot == null) {
        slot = new long[1];
        held.set(slot);
      }
      slot[0] = nowMillis;
      return slot;
    }

    /** Ends a {@link #hold}: the cache reads the clock again. */
    static void release(long[] slot) {
      if (slot != null) {
        slot[0] = NONE;
      }
    }

    @Override
    public long read() {
      if (!ObjectPool.isVirtual(Thread.currentThread())) {
        long[] slot = held.get();
        if (slot != null && slot[0] != NONE) {
          return Tickers.nanos(slot[0]);
        }
      }
      return Tickers.nanos(clock.millis());
    }
  }

  /**
   * One stored session, kept small: two longs and two references. {@code lastAccess} is written on every read
   * without a cache write, so a read stays a read.
   */
  static final class Entry {
    private static final VarHandle LAST_ACCESS;

    static {
      try {
        LAST_ACCESS = MethodHandles.lookup().findVarHandle(Entry.class, "lastAccess", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final long created;
    volatile long lastAccess;
    final String userHandle;
    final Map<String, Object> attributes;

    Entry(long created, long lastAccess, String userHandle, Map<String, Object> attributes) {
      this.created = created;
      this.lastAccess = lastAccess;
      this.userHandle = userHandle;
      this.attributes = attributes;
    }

    /**
     * Records a read at {@code now}. A release write, not a volatile one: nothing else is published with it, a reader
     * on another thread sees it soon enough for an idle timeout of minutes, and a volatile write would cost a full
     * fence on every request.
     */
    void touch(long now) {
      LAST_ACCESS.setRelease(this, now);
    }

    static Entry create(long now, SessionChanges changes) {
      return of(SessionRecord.create(Instant.ofEpochMilli(now), changes));
    }

    Entry apply(SessionChanges changes, long now) {
      return of(toRecord().apply(changes, Instant.ofEpochMilli(now)));
    }

    private static Entry of(SessionRecord r) {
      return new Entry(
          r.created().toEpochMilli(),
          r.lastAccess().toEpochMilli(),
          r.userHandle().orElse(null),
          r.attributes());
    }

    SessionRecord toRecord() {
      return SessionRecord.trusted(
          Instant.ofEpochMilli(created), Instant.ofEpochMilli(lastAccess), userHandle, attributes);
    }
  }

  /** Collects a store's parts. Not thread-safe. */
  public static final class Builder {
    private final SessionConfig config;
    private final InstantSource clock;
    private SessionListener listener = SessionListener.noop();
    private Executor executor = ForkJoinPool.commonPool();

    private Builder(SessionConfig config, InstantSource clock) {
      this.config = Objects.requireNonNull(config, "config");
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Hears {@code session_expired}; called through {@link SessionListener#guarded}. */
    public Builder listener(SessionListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Runs the listener's calls for sessions the cache's maintenance drops; the common pool by default. Tests pass
     * {@code Runnable::run} to make them happen on the calling thread. The maintenance itself always runs on the
     * calling thread.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public CaffeineSessionStore build() {
      return new CaffeineSessionStore(this);
    }
  }
}
