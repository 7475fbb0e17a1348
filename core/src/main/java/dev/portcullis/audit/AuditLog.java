package dev.portcullis.audit;

import dev.portcullis.internal.DaemonThreads;
import dev.portcullis.internal.PerAddressLimit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point for auditing: stamps events with an id and a time, and delivers them to the sinks asynchronously
 * through a bounded queue and one dispatcher thread.
 *
 * <pre>{@code
 * AuditLog audit = AuditLog.builder()
 *     .clock(clock)                                   // java.time.InstantSource
 *     .random(secureRandom)                           // event and request ids
 *     .auditSink(AuditSink.hashChained(dir.resolve("audit.jsonl")))
 *     .demandSink(SearchDemandSink.jsonLines(dir.resolve("search-demand.jsonl")))
 *     .build();
 *
 * audit.emit(audit.event(AuditEventType.of("report_view"))
 *     .actor(AuditEvent.Actor.of(userHandle, organisationHandle))
 *     .action("report_view").resource("/reports/42").requestId(requestId).clientAddress(address)
 *     .build());
 * audit.searched("/providers/search", query, results.size());   // anonymous: counted, published per hour
 * ...
 * audit.close();                                      // delivers what is queued, then closes the sinks
 * }</pre>
 *
 * <p><b>Delivery.</b> {@code emit} puts the event on a bounded queue and returns. When the queue is full it waits for
 * room ({@link WhenFull#BLOCK}, the default), even if the thread is interrupted (the interrupt is kept for the
 * caller); with {@link WhenFull#DROP} it drops the event instead, counts it and logs an error. The dispatcher hands
 * each event to every sink of its kind in order of emission per emitting thread. Sink failures are reported on the
 * SLF4J logger {@code dev.portcullis.audit.AuditLog} (sink and exception class only; never the message, which may
 * quote the event) and counted in {@link #stats()}; a failing sink never holds up the others.
 *
 * <p><b>When an audit sink fails.</b> An identified-event sink that throws {@link IOException} (or
 * {@link UncheckedIOException}) from {@code accept} or {@code flush} is out of service, not wrong about one event: a
 * full disk, a lost volume. Nothing accepted is lost and nothing is written out of order:
 * <ul>
 *   <li>the event it did not take, and every later one for that sink, are kept in order for it (up to the queue
 *       capacity per sink; beyond that the dispatcher stops taking events and {@code emit} waits or drops as
 *       configured, as for a full queue), while the other sinks go on receiving events;
 *   <li>one ERROR line says which sink failed and that its events are kept (another follows every 60 failed
 *       attempts); {@link #health()} reports it until it recovers (and {@link AuditMetrics#bind} exposes that as
 *       metrics);
 *   <li>the dispatcher offers the kept events again every {@link Builder#retryInterval(Duration) retry interval}
 *       (one second unless set) and at every {@link #flush(Duration)}; once the sink has taken them all and flushed,
 *       it is healthy again, without a restart, and a WARN line says how many kept events it wrote.
 * </ul>
 * An application decides what a failing sink means for its users; {@code PortcullisFilter} refuses audited actions
 * with {@code 503} while {@link #health()} is not healthy and lets logins and other pages go on. A sink that throws
 * anything else (a bug, an event it can't represent) is reported and counted, and that event is skipped for that sink:
 * retrying would fail the same way. Search-demand sinks are not retried: a failure is counted and reported.
 *
 * <p><b>Searches.</b> {@link #searched} does not queue an event: it normalises and redacts the query and counts it
 * in its time bucket (one hour unless {@link Builder#demandBucket set}). The demand sinks get nothing about a search
 * until its bucket has closed by the injected clock; then the dispatcher hands them the bucket's
 * {@link SearchDemandEvent} records, one per endpoint and terms with the number of searches, all together and sorted
 * by endpoint and terms. So no demand output (a file, an SLF4J line, a metric) shows when a search happened, or in
 * which order searches came, more finely than the bucket. The dispatcher wakes for a bucket's close on its own, and
 * checks on every {@link #flush} too; {@link #flush} does not publish a bucket that is still open. {@link #close()}
 * publishes the open buckets as well, so a clean stop loses no search. Searches are not counted in {@link #stats()}
 * as they come; the published records count as delivered. Memory is bounded by {@link Builder#demandMaxTerms}.
 *
 * <p><b>Anonymous events.</b> An event with a client address and no actor (a refused CSRF token, a malformed path or
 * cookie, a failed login for an unknown name: what anyone can cause without logging in) counts against its address's
 * share of its type: at most {@link Builder#anonymousEventsPerAddress} such events of one type per
 * {@link Builder#anonymousEventWindow} from one address (an IPv6 address by its /64), for at most 100,000 address and
 * type pairs at once. Each type has its own share, so a flood of one kind of refusal cannot hide another (the lock of
 * an account after a run of failed logins). Past the share {@code emit} withholds the event: it is not queued or
 * written, only counted ({@link Stats#withheld()}), with a WARN line at the first and every 1,000th. So a client
 * flooding the portal with refused requests writes a bounded number of lines, and cannot fill the disk under the
 * audit file or bury its other entries. Events with an actor, and events without a client
 * address (the log's own, a key ring reload), are never withheld.
 *
 * <p><b>Withheld, not hidden.</b> When an address's window for a type closes with events withheld, the audit log
 * itself says so with one {@link AuditEventType#AUDIT_WITHHELD} event: its action is the withheld type, its client
 * address the one that opened the window, its reason how many were withheld, from which address (an IPv6 address's
 * /64) and the window's start and end. The dispatcher writes it within a second of the clock passing the window's end
 * (and before answering a {@link #flush}); {@link #close()} writes those of the windows still open, marked cut short,
 * so an orderly stop loses none. The summaries are bounded in turn: at most 100 windows a minute get their own; the
 * windows past that, from an attacker rotating addresses, are counted together in one more {@code audit_withheld}
 * event without an address when the minute is over (or at close). So they add at most 101 lines a minute. A withheld
 * event racing its window's close may be missing from the window's summary, never from {@link Stats#withheld()}.
 *
 * <p><b>Closing.</b> {@link #close()} stops intake, delivers everything already queued, publishes the search counts
 * of every bucket, closed or not, flushes and closes the sinks and waits for the dispatcher to finish, for at most the
 * {@link Builder#closeTimeout close timeout} (30 seconds unless set). Emitting after that throws
 * {@link IllegalStateException}: an event that can't be recorded is an error the caller must see, not a silent loss.
 * Call {@code close()} on shutdown; the dispatcher is a daemon thread, so events still queued and searches still
 * counted when the JVM exits without it are lost. A sink that is still failing at close gets one last attempt; the
 * events it then still has not taken are lost, and so are those a file sink took and could not write when it closed
 * (on a full disk, say): one ERROR line per sink says how many, and of which kind.
 *
 * <p><b>A sink that does not return.</b> A sink whose {@code accept}, {@code flush} or {@code close} blocks (a network
 * sink whose peer stopped reading, a file on a hung NFS mount) would hold the application's shutdown for ever. So
 * {@code close()} gives up when the close timeout has passed: it interrupts the dispatcher and logs one ERROR line
 * naming the class of the sink it was waiting on and how many identified events are not written: those not every
 * audit sink took (the one in hand included, and those of emitters that were waiting for room in a full queue, which
 * it lets go), and the lines file sinks took and had not written. Search counts not yet published are lost too. If the
 * sink returns later, the dispatcher calls no sink again but {@code close}, so that files are released, and logs as at
 * any close what those closes lost. A sink that is merely slow loses nothing as long as it finishes within the
 * timeout. The timeout is measured by blocking waits (the JVM's monotonic time), not the injected clock, which stamps
 * events and may stand still in tests.
 *
 * <p><b>Security.</b> Identified and search-demand events travel as different types to different sinks; no sink gets
 * both. A search leaves no per-search trace in any output: no line, no counter step, no timestamp finer than its
 * bucket. What remains is the content of a bucket: a term searched once in a quiet hour still says that someone
 * searched for it then ({@link Builder#demandMinimumCount} folds such terms into an "other" count). Failures are
 * reported without event content. Event ids are 128 bits from the injected {@link SecureRandom}.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  /** The longest the dispatcher sleeps before looking at the clock again for a closing search-demand bucket. */
  private static final long DEMAND_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Object STOP = new Object();
  /** How many client address and event type pairs the share of anonymous events is counted for at once. */
  private static final long TRACKED_PAIRS = 100_000;
  /** How long {@link #close()} waits for the dispatcher unless {@link Builder#closeTimeout} says otherwise. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final InstantSource clock;
  private final SecureRandom random;
  private final List<AuditSink> auditSinks;
  private final List<Outlet> outlets; // one per audit sink; the dispatcher's only
  private final List<SearchDemandSink> demandSinks;
  private final SearchDemandTally demand;
  private final WhenFull whenFull;
  private final int capacity;
  private final long retryNanos;
  private final Duration closeTimeout;
  private final BlockingQueue<Object> queue;
  private final ReentrantReadWriteLock intake = new ReentrantReadWriteLock();
  private final Thread dispatcher;
  // Written under intake's write lock, unless close() could not take it within its timeout.
  private volatile boolean closed;
  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private volatile boolean closing;
  /** Set when close() gave up waiting for the dispatcher: it then calls no sink again but to close it. */
  private volatile boolean abandoned;
  /** The sink the dispatcher is calling, or last called; for the line of a close that gives up. */
  private volatile Object calling;
  /** Identified events handed to the dispatcher: queued ones and withheld-event summaries. */
  private final AtomicLong offered = new AtomicLong();

  private volatile Health health = Health.HEALTHY;
  private long
      nextRetry; // System.nanoTime() of the next retry of failing sinks; the dispatcher's only

  private final LongAdder emitted = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder withheld = new LongAdder();
  private final PerAddressLimit anonymousLimit;
  private final WithheldSummaries withheldSummaries;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong sinkFailures = new AtomicLong();

  private AuditLog(Builder b) {
    this.clock = b.clock;
    this.random = b.random;
    this.auditSinks =
        List.copyOf(b.auditSinks.isEmpty() ? List.of(AuditSink.slf4j()) : b.auditSinks);
    this.demandSinks =
        List.copyOf(b.demandSinks.isEmpty() ? List.of(SearchDemandSink.slf4j()) : b.demandSinks);
    this.demand = new SearchDemandTally(b.demandBucket, b.demandMaxTerms, b.demandMinimumCount);
    this.outlets = auditSinks.stream().map(Outlet::new).toList();
    this.whenFull = b.whenFull;
    this.capacity = b.queueCapacity;
    this.retryNanos = b.retryInterval.toNanos();
    this.closeTimeout = b.closeTimeout;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    this.withheldSummaries = new WithheldSummaries(b.anonymousPerAddress);
    this.anonymousLimit = new PerAddressLimit(
        b.anonymousPerAddress, b.anonymousWindow, TRACKED_PAIRS, b.clock, withheldSummaries::offer);
    this.dispatcher = DaemonThreads.of("portcullis-audit", this::dispatch);
    this.dispatcher.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder for an event of this type, with a fresh random id and the current time already set. */
  public AuditEvent.Builder event(AuditEventType type) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return AuditEvent.builder(type).id(BASE64URL.encodeToString(id)).time(clock.instant());
  }

  /**
   * A fresh id for the events of one request: a random (version 4) UUID drawn from this log's {@link SecureRandom},
   * unrelated to anything the client sent.
   */
  public String newRequestId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    ByteBuffer buffer = ByteBuffer.wrap(b);
    return new UUID(buffer.getLong(), buffer.getLong()).toString();
  }

  /**
   * Queues an identified event for the audit sinks; withholds it instead when it has a client address, no actor, and
   * its address has had its share of such events of its type in the current window (see the class comment).
   *
   * @throws IllegalStateException if the log is closed
   */
  public void emit(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (event.actor().isEmpty()
        && event.clientAddress().isPresent()
        && !anonymousLimit.tryAcquire(event.clientAddress().get(), event.type().name())) {
      withhold(event.type().name());
      return;
    }
    enqueue(event, event.type().name());
  }

  private void withhold(String what) {
    intake.readLock().lock();
    try {
      checkOpen(what);
    } finally {
      intake.readLock().unlock();
    }
    withheld.increment();
    long total = withheld.sum();
    if (total == 1 || total % 1000 == 0) {
      LOG.warn(
          "Anonymous audit events past their client address's share: withheld an anonymous {} event ({} withheld"
              + " so far); some address is flooding the portal with refused requests",
          what,
          total);
    }
  }

  /**
   * Counts an anonymous search in the current demand bucket; the demand sinks get it, with the bucket's other
   * searches, when the bucket closes (see the class comment). Returns at once; never waits for the dispatcher.
   *
   * <p>The query is normalised and redacted before it is counted: NFKC, lower case ({@link java.util.Locale#ROOT}),
   * punctuation other than {@code @.-'&+} removed, whitespace collapsed, and these replaced by markers: e-mail
   * addresses ({@code [email]}), IPv4 and IPv6 addresses ({@code [ip-address]}), UK National Insurance numbers
   * ({@code [ni-number]}), full UK postcodes ({@code [postcode]}), handles such as {@code u-1001} ({@code
   * [user-handle]}), pasted tokens, session ids, UUIDs, JWTs and {@code password=}-style values ({@code [token]}),
   * runs of 10-15 digits starting with {@code +} or {@code 0} ({@code [phone]}) and other runs of six or more digits
   * ({@code [number]}), spaces, punctuation and single letters allowed between the digits. Then it is cut to 100
   * characters at a token boundary. Names are not redacted. A query longer than 400 characters is not read: it is
   * counted in the endpoint's {@link SearchDemandEvent#OTHER_TERMS} record.
   *
   * @param endpoint which search, {@code [A-Za-z0-9/_.-]{1,100}}
   * @param rawQuery what the user typed; null counts as empty
   * @param resultCount how many results the search gave; only whether it was zero is kept
   * @throws IllegalArgumentException if the endpoint is not valid or the count is negative
   * @throws IllegalStateException if the log is closed
   */
  public void searched(String endpoint, String rawQuery, int resultCount) {
    SearchDemandEvent.checkEndpoint(endpoint);
    if (resultCount < 0) {
      throw new IllegalArgumentException("result count must not be negative");
    }
    // Over-long queries are counted unread: the redaction's work grows with the length.
    String terms = rawQuery != null && rawQuery.length() > SearchTerms.MAX_QUERY
        ? SearchDemandEvent.OTHER_TERMS
        : SearchTerms.normalise(rawQuery);
    intake.readLock().lock();
    try {
      checkOpen(EventFormat.KIND_SEARCH_DEMAND);
      demand.add(clock.instant(), endpoint, terms, resultCount > 0);
    } finally {
      intake.readLock().unlock();
    }
  }

  /**
   * Waits until everything emitted before this call has been handed to the sinks and the sinks are flushed. A failing
   * audit sink is offered its kept events first (see the class comment). Search counts are handed over only for
   * buckets that have closed by the clock; an open bucket stays open.
   *
   * @return false if that took longer than {@code timeout}, or if an audit sink is still failing (its events are kept;
   *     see {@link #health()})
   * @throws IllegalStateException if the log is closed
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    FlushRequest request = new FlushRequest();
    LockSupport.unpark(dispatcher); // a dispatcher holding back for a failing sink retries now
    intake.readLock().lock();
    try {
      checkOpen("flush");
      if (!queue.offer(request, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return false;
      }
    } finally {
      intake.readLock().unlock();
    }
    LockSupport.unpark(dispatcher); // and answers this request if it still can't take events
    return request.done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
        && request.healthy;
  }

  /**
   * Whether the identified-event sinks are taking events, and how many events are kept for those that are not. Cheap
   * (one volatile read): callers may ask on every request.
   */
  public Health health() {
    return health;
  }

  /**
   * Whether the log still takes events: true until {@link #close()}. A closed log refuses every event, so a caller
   * that must not act unaudited (the filter's audited actions) treats it as one that can't write.
   */
  public boolean isOpen() {
    return !closed;
  }

  /**
   * The longest {@link #close()} waits for the sinks, as {@link Builder#closeTimeout} set it: an application that stops
   * in phases (a container's shutdown timeout, say) reads it to leave the audit log that much time.
   */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /**
   * How often a failing audit sink is offered its kept events again, as {@link Builder#retryInterval} set it: with
   * {@link #health()}, how soon a sink that has recovered is known to have.
   */
  public Duration retryInterval() {
    return Duration.ofNanos(retryNanos);
  }

  /** The counters so far. */
  public Stats stats() {
    return new Stats(
        emitted.sum(),
        dropped.sum(),
        delivered.get(),
        sinkFailures.get(),
        queue.size(),
        withheld.sum());
  }

  /**
   * Delivers what is queued, flushes and closes every sink, and stops the dispatcher. Waits for all of it, for at most
   * the {@link Builder#closeTimeout close timeout}: past that it gives up, interrupts the dispatcher and logs one ERROR
   * line saying how many events are not written (see the class comment). Calling it again does nothing. An interrupt
   * does not cut the wait short; the caller gets it back when {@code close} returns.
   */
  @Override
  public void close() {
    if (!closeStarted.compareAndSet(false, true)) {
      return;
    }
    // Blocking waits with a timeout, not the injected clock: that clock stamps events and may be
    // a test's fixed clock, and nothing but these waits could tell when the time is up.
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    boolean interrupted = false;
    boolean stopQueued = false;
    boolean locked = false;
    while (true) {
      try {
        // Emitters waiting for room in a queue that a stuck sink no longer empties hold the read
        // lock.
        locked = intake.writeLock().tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      closed = true;
      // A dispatcher holding back for a failing sink takes the queue again, so STOP gets in.
      closing = true;
      LockSupport.unpark(dispatcher);
      while (locked) {
        try {
          stopQueued = queue.offer(STOP, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (locked) {
        intake.writeLock().unlock();
      }
    }
    while (stopQueued && dispatcher.isAlive()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.timedJoin(dispatcher, left);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (!stopQueued || dispatcher.isAlive()) {
      giveUp();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops waiting for a dispatcher that has not finished within the close timeout: interrupts it, so that a sink
   * blocked in an interruptible call returns, and says in one ERROR line how many events are not written.
   */
  private void giveUp() {
    abandoned =
        true; // first: the dispatcher takes no more events, so the count below can't fall short
    long offeredNow = offered.get();
    long notTaken = 0;
    long held = 0;
    for (Outlet outlet : outlets) {
      notTaken = Math.max(notTaken, offeredNow - outlet.settled.get()); // at least 0
      held += unwrittenIn(outlet.sink);
    }
    Object waitingOn = calling; // before the interrupt, after which it goes on to close the sinks
    dispatcher.interrupt();
    // Lets go of emitters waiting for room in the queue: their events are counted above, as they
    // counted themselves before they waited, and the dispatcher takes nothing more.
    queue.clear();
    LOG.error(
        "Audit log close gave up after the close timeout of {}, waiting on {}: the dispatcher was interrupted;"
            + " {} audit events are not written to every audit sink, {} lines file sinks took are not written,"
            + " and search counts not yet published are lost",
        closeTimeout,
        waitingOn == null
            ? "the audit dispatcher"
            : "sink " + waitingOn.getClass().getName(),
        notTaken,
        held);
  }

  private void enqueue(Object event, String what) {
    if (whenFull == WhenFull.BLOCK) {
      put(event, what);
      emitted.increment();
      return;
    }
    intake.readLock().lock();
    try {
      checkOpen(what);
      if (queue.offer(event)) {
        offered.incrementAndGet();
        emitted.increment();
        return;
      }
    } finally {
      intake.readLock().unlock();
    }
    dropped.increment();
    long total = dropped.sum();
    if (total == 1 || total % 1000 == 0) {
      LOG.error(
          "Audit queue full: dropped a {} event ({} dropped so far); the sinks are not keeping up",
          what,
          total);
    }
  }

  private void put(Object item, String what) {
    intake.readLock().lock();
    try {
      checkOpen(what);
      offered.incrementAndGet(); // before it waits for room: an event still waiting counts as not
      // written
      putUninterruptibly(item);
    } finally {
      intake.readLock().unlock();
    }
  }

  private void checkOpen(String what) {
    if (closed) {
      throw new IllegalStateException(
          "AuditLog is closed: the " + what + " event was not recorded");
    }
  }

  private void putUninterruptibly(Object item) {
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(item);
        break;
      } catch (InterruptedException e) {
        // Blocking, not dropping, is the contract; the caller gets its interrupt back once the
        // event is queued.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void dispatch() {
    List<Object> batch = new ArrayList<>(256);
    boolean stop = false;
    while (!stop && !abandoned) {
      try {
        Object first;
        if (!health.healthy()) {
          if (holdingBack()) {
            // A failing sink's backlog is full: leave events in the queue, so emitters feel it as a
            // full queue.
            LockSupport.parkNanos(this, retryNanos);
            retryFailing();
            if (!health.healthy()) {
              answerFlushes(); // they can't get past the events ahead of them: tell them the sink
              // is failing
            }
            continue;
          }
          long untilRetry = Math.max(0, nextRetry - System.nanoTime());
          first = queue.poll(Math.min(untilRetry, demandWaitNanos()), TimeUnit.NANOSECONDS);
          if (first == null && nextRetry - System.nanoTime() <= 0) {
            retryFailing();
          }
        } else {
          first = queue.poll(demandWaitNanos(), TimeUnit.NANOSECONDS);
        }
        if (first != null) {
          batch.add(first);
        }
      } catch (InterruptedException e) {
        continue; // only close() ends the dispatcher, through STOP
      }
      // Before the batch, so that a flush queued after the clock passed a bucket's end (or a
      // window's) finds the bucket published (and the window's summary written).
      Instant now = clock.instant();
      boolean published = publish(demand.takeClosed(now));
      published |= summariseWithheld();
      if (batch.isEmpty() && !published) {
        continue;
      }
      queue.drainTo(batch, 255);
      for (Object item : batch) {
        if (abandoned) {
          break;
        }
        if (item == STOP) {
          stop = true;
        } else if (item instanceof AuditEvent event) {
          for (Outlet outlet : outlets) {
            deliver(outlet, event);
          }
        } else if (item instanceof FlushRequest flush) {
          // The clock may have passed a window's end since the sweep above, and before this flush
          // was queued.
          summariseWithheld();
          retryFailing();
          flushSinks();
          flush.healthy = health.healthy();
          flush.done.countDown();
        }
      }
      batch.clear();
      if (!health.healthy() && nextRetry - System.nanoTime() <= 0) {
        retryFailing();
      }
      if (queue.isEmpty()) {
        flushSinks();
      }
    }
    if (abandoned) {
      // close() gave up on a sink that has now returned, and counted what is not written: release
      // the files. A FileChannel refuses to write on an interrupted thread, so clear the interrupt.
      Thread.interrupted();
      closeSinks(false);
      return;
    }
    summariseWithheldAtClose();
    retryFailing();
    publish(demand.takeAll());
    closeSinks(true);
  }

  /** How long the dispatcher may wait for the queue before it must look at the demand buckets again. */
  private long demandWaitNanos() {
    Instant next = demand.nextClose();
    if (next == null) {
      return DEMAND_CHECK_NANOS;
    }
    Duration until = Duration.between(clock.instant(), next);
    return until.isNegative() || until.isZero() ? 1 : Math.min(DEMAND_CHECK_NANOS, until.toNanos());
  }

  /**
   * Closes the windows of anonymous events whose time is up and hands the summaries due to every audit sink; whether
   * there were any. The summaries' time is read after the windows are closed, which reads the clock too: a time read
   * before could be older than a window just closed, and count it in the minute before.
   */
  private boolean summariseWithheld() {
    List<AuditEvent> summaries;
    try {
      anonymousLimit.expire();
      summaries = withheldSummaries.take(clock.instant(), this::event);
    } catch (RuntimeException e) { // a summary must never stop the dispatcher
      LOG.error(
          "Could not summarise withheld anonymous events: {}", e.getClass().getName());
      return false;
    }
    return deliverSummaries(summaries);
  }

  /**
   * At close: the summaries of every window still open, cut short, handed to every audit sink. Guarded as
   * {@link #summariseWithheld} is: a summary that cannot be made is logged, and the close goes on to retry the failing
   * sinks' kept events and to close every sink.
   */
  private void summariseWithheldAtClose() {
    List<AuditEvent> summaries;
    try {
      anonymousLimit.expire();
      summaries =
          withheldSummaries.takeAll(clock.instant(), anonymousLimit.openOverflows(), this::event);
    } catch (RuntimeException e) { // a summary must never cost the events kept or the sinks' close
      LOG.error(
          "Could not summarise withheld anonymous events at close: {}",
          e.getClass().getName());
      return;
    }
    deliverSummaries(summaries);
  }

  private boolean deliverSummaries(List<AuditEvent> summaries) {
    offered.addAndGet(summaries.size());
    for (AuditEvent summary : summaries) {
      for (Outlet outlet : outlets) {
        deliver(outlet, summary);
      }
    }
    return !summaries.isEmpty();
  }

  /** Hands search-demand records to every demand sink; whether there were any. */
  private boolean publish(List<SearchDemandEvent> records) {
    for (SearchDemandEvent record : records) {
      for (SearchDemandSink sink : demandSinks) {
        if (abandoned) {
          return true;
        }
        deliver(sink, record);
      }
    }
    return !records.isEmpty();
  }

  private void answerFlushes() {
    queue.removeIf(item -> {
      if (item instanceof FlushRequest flush) {
        flush.healthy = false;
        flush.done.countDown();
        return true;
      }
      return false;
    });
  }

  private boolean holdingBack() {
    if (closing) {
      return false;
    }
    for (Outlet outlet : outlets) {
      if (outlet.backlog.size() >= capacity) {
        return true;
      }
    }
    return false;
  }

  private void deliver(Outlet outlet, AuditEvent event) {
    if (abandoned) {
      return;
    }
    if (outlet.failing) {
      outlet.backlog.addLast(event); // in order behind the events it has not taken yet
      publishHealth();
      return;
    }
    try {
      calling = outlet.sink;
      outlet.sink.accept(event);
      delivered.incrementAndGet();
      outlet.settled.incrementAndGet();
    } catch (IOException | UncheckedIOException e) {
      outlet.backlog.addLast(event);
      outOfService(outlet, "write", e);
    } catch (Throwable t) { // a sink must never stop the dispatcher, whatever it throws
      outlet.settled.incrementAndGet(); // skipped, and reported
      failed(outlet.sink, "deliver a " + event.type().name() + " event", t);
    }
  }

  /** Offers each failing sink its kept events, then a flush; a sink that takes all of them is healthy again. */
  private void retryFailing() {
    nextRetry = System.nanoTime() + retryNanos;
    for (Outlet outlet : outlets) {
      if (!outlet.failing || abandoned) {
        continue;
      }
      int written = 0;
      try {
        calling = outlet.sink;
        while (!outlet.backlog.isEmpty() && !abandoned) {
          AuditEvent event = outlet.backlog.peekFirst();
          try {
            outlet.sink.accept(event);
            delivered.incrementAndGet();
            written++;
          } catch (IOException | UncheckedIOException e) {
            throw e;
          } catch (Throwable t) {
            failed(
                outlet.sink,
                "deliver a " + event.type().name() + " event",
                t); // not an outage: skipped
          }
          outlet.backlog.removeFirst();
          outlet.settled.incrementAndGet();
        }
        if (abandoned) {
          continue;
        }
        outlet.sink.flush();
        outlet.failing = false;
        outlet.recovered += written;
        LOG.warn(
            "Audit sink {} recovered after {} failed attempts and took the events kept for it: {}",
            outlet.sink,
            outlet.attempts,
            outlet.recovered);
      } catch (Throwable t) {
        outlet.recovered += written;
        outlet.attempts++;
        long count = sinkFailures.incrementAndGet();
        if (outlet.attempts % 60 == 0) {
          LOG.error(
              "Audit sink {} is still failing: {} ({} attempts, {} events kept; {} sink failures so far)",
              outlet.sink,
              t.getClass().getName(),
              outlet.attempts,
              outlet.backlog.size(),
              count);
        }
      }
    }
    publishHealth();
  }

  private void outOfService(Outlet outlet, String what, Throwable t) {
    outlet.failing = true;
    outlet.attempts = 1;
    outlet.recovered = 0;
    nextRetry = System.nanoTime() + retryNanos;
    long count = sinkFailures.incrementAndGet();
    publishHealth();
    LOG.error(
        "Audit sink {} failed to {}: {}; it is out of service: its events are kept and offered again every {} "
            + "until it takes them ({} sink failures so far)",
        outlet.sink,
        what,
        t.getClass().getName(),
        Duration.ofNanos(retryNanos),
        count);
  }

  private void publishHealth() {
    int failing = 0;
    int kept = 0;
    for (Outlet outlet : outlets) {
      if (outlet.failing) {
        failing++;
        kept += outlet.backlog.size();
      }
    }
    Health now = health;
    if (now.failingSinks() != failing || now.keptEvents() != kept) {
      health = failing == 0 ? Health.HEALTHY : new Health(failing, kept);
    }
  }

  private void deliver(SearchDemandSink sink, SearchDemandEvent event) {
    try {
      calling = sink;
      sink.accept(event);
      delivered.incrementAndGet();
    } catch (Throwable t) {
      failed(sink, "deliver a " + EventFormat.KIND_SEARCH_DEMAND + " event", t);
    }
  }

  private void flushSinks() {
    for (Outlet outlet : outlets) {
      if (outlet.failing || abandoned) {
        continue; // its retry flushes
      }
      try {
        calling = outlet.sink;
        outlet.sink.flush();
      } catch (IOException | UncheckedIOException e) {
        outOfService(outlet, "flush", e);
      } catch (Throwable t) {
        failed(outlet.sink, "flush", t);
      }
    }
    for (SearchDemandSink sink : demandSinks) {
      if (abandoned) {
        return;
      }
      try {
        calling = sink;
        sink.flush();
      } catch (Throwable t) {
        failed(sink, "flush", t);
      }
    }
  }

  /**
   * Closes every sink, and says with one ERROR line per audit sink how many events it lost: those it never took (it was
   * still failing), and those it took into its own buffer and could not write when it closed (a file sink on a full
   * disk). A sink of the application's may have held more of its own, which no count here can see.
   *
   * @param countKept whether to count the events a failing sink did not take: not after a close that gave up, whose
   *     line counted them already
   */
  private void closeSinks(boolean countKept) {
    for (Outlet outlet : outlets) {
      int notTaken = outlet.failing && countKept ? outlet.backlog.size() : 0;
      int held = unwrittenIn(outlet.sink);
      int notWritten = close(outlet.sink) ? 0 : held;
      if ((outlet.failing && countKept) || notWritten > 0) {
        LOG.error(
            "Audit sink {} {} at close: {} events are lost ({} it did not take, {} it took and could"
                + " not write)",
            outlet.sink,
            outlet.failing ? "is still failing" : "failed",
            notTaken + notWritten,
            notTaken,
            notWritten);
      }
    }
    for (SearchDemandSink sink : demandSinks) {
      int held = unwrittenIn(sink);
      if (!close(sink) && held > 0) {
        LOG.error(
            "Search-demand sink {} failed at close: {} records it took and could not write are lost",
            sink,
            held);
      }
    }
  }

  /** Closes {@code sink}; whether it closed without an exception. */
  private boolean close(AutoCloseable sink) {
    try {
      calling = sink;
      sink.close();
      return true;
    } catch (Throwable t) {
      failed(sink, "close", t);
      return false;
    }
  }

  /** How many records a file sink of this package holds and has not written yet; 0 for any other sink. */
  private static int unwrittenIn(Object sink) {
    return sink instanceof ForwardingSink<?> forwarding
            && forwarding.target instanceof LineFile file
        ? file.unwrittenLines()
        : 0;
  }

  private void failed(Object sink, String what, Throwable t) {
    long count = sinkFailures.incrementAndGet();
    // The exception's message and stack may quote the event; the class name is enough to start
    // looking.
    LOG.error(
        "Audit sink {} failed to {}: {} ({} sink failures so far)",
        sink,
        what,
        t.getClass().getName(),
        count);
  }

  /** One audit sink and what the dispatcher keeps for it while it is out of service. */
  private static final class Outlet {
    final AuditSink sink;
    final ArrayDeque<AuditEvent> backlog = new ArrayDeque<>();
    /** Events it took or skipped as not representable; read by a close that gives up. */
    final AtomicLong settled = new AtomicLong();

    boolean failing;
    long attempts;
    long recovered;

    Outlet(AuditSink sink) {
      this.sink = sink;
    }
  }

  private static final class FlushRequest {
    final CountDownLatch done = new CountDownLatch(1);
    volatile boolean healthy;
  }

  /**
   * The state of the identified-event sinks.
   *
   * @param failingSinks how many are out of service: their last write or flush threw {@link IOException} and they
   *     have not yet taken the events kept for them
   * @param keptEvents how many events are kept for them, waiting to be offered again (a sink may hold more of its own:
   *     the file sinks keep the lines they could not write)
   */
  public record Health(int failingSinks, int keptEvents) {
    /** Every identified-event sink is taking events. */
    public static final Health HEALTHY = new Health(0, 0);

    /** Whether every identified-event sink is taking events. */
    public boolean healthy() {
      return failingSinks == 0;
    }
  }

  /** What {@code emit} does when the queue is full. */
  public enum WhenFull {
    /** Wait for room: no event is lost, a stuck sink slows the callers down. The default. */
    BLOCK,
    /** Drop the event, count it in {@link Stats#dropped()} and log an error: callers never wait. */
    DROP
  }

  /**
   * Counters since the log was built.
   *
   * @param emitted identified events accepted onto the queue (searches are not counted as they come)
   * @param dropped identified events refused because the queue was full ({@link WhenFull#DROP} only)
   * @param delivered successful hand-overs to a sink (an event with two sinks counts twice), published
   *     search-demand records and {@link AuditEventType#AUDIT_WITHHELD} summaries (not queued, so not in {@code
   *     emitted}) included
   * @param sinkFailures sink calls that threw: deliveries, flushes and closes
   * @param queued events waiting in the queue now
   * @param withheld anonymous events not queued because their client address had had its share of their type (see
   *     {@link Builder#anonymousEventsPerAddress})
   */
  public record Stats(
      long emitted, long dropped, long delivered, long sinkFailures, int queued, long withheld) {}

  /** Configures an {@link AuditLog}; {@link #build()} checks the whole. */
  public static final class Builder {
    private InstantSource clock;
    private SecureRandom random;
    private final List<AuditSink> auditSinks = new ArrayList<>();
    private final List<SearchDemandSink> demandSinks = new ArrayList<>();
    private int queueCapacity = 8192;
    private WhenFull whenFull = WhenFull.BLOCK;
    private Duration demandBucket = SearchDemandEvent.DEFAULT_BUCKET;
    private Duration retryInterval = Duration.ofSeconds(1);
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private int demandMaxTerms = 10_000;
    private int demandMinimumCount = 1;
    private int anonymousPerAddress = 60;
    private Duration anonymousWindow = Duration.ofMinutes(1);

    private Builder() {}

    /** The clock for event times. Required. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The source of event ids. Required. */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Adds a sink for identified events. Without any, {@link AuditSink#slf4j()}. */
    public Builder auditSink(AuditSink sink) {
      auditSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /** Adds a sink for search-demand events. Without any, {@link SearchDemandSink#slf4j()}. */
    public Builder demandSink(SearchDemandSink sink) {
      demandSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /** How many events may wait for the dispatcher; 8192 unless set, at most 1,048,576. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /** What to do when the queue is full: {@link WhenFull#BLOCK} unless set. */
    public Builder whenFull(WhenFull whenFull) {
      this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
      return this;
    }

    /**
     * How often a failing audit sink is offered its kept events again: one second unless set, from 10 ms to 10
     * minutes. Each attempt costs the sink one write; {@link AuditLog#flush(Duration)} also retries at once.
     */
    public Builder retryInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(10)) < 0
          || interval.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "retry interval must be 10 ms to 10 minutes, got " + interval);
      }
      this.retryInterval = interval;
      return this;
    }

    /**
     * How long {@link AuditLog#close()} waits for the queued events to be written and the sinks closed: 30 seconds
     * unless set, from 10 ms to one hour. Past that it gives up on a sink that has not returned, so that a stuck sink
     * can't hang the application's shutdown, and logs how many events are not written (see the class comment). Set it
     * above the longest a healthy sink may take to write a full queue.
     */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(10)) < 0
          || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "close timeout must be 10 ms to one hour, got " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * The search-demand time bucket: one hour unless set; see {@link SearchDemandEvent#bucket()}. Searches are
     * published when their bucket ends, so this is also the longest a search waits to be written.
     */
    public Builder demandBucket(Duration bucket) {
      SearchDemandEvent.checkBucket(bucket);
      this.demandBucket = bucket;
      return this;
    }

    /**
     * How many distinct (endpoint, terms) pairs the search counts hold at most; a search with new terms beyond that
     * is counted in its endpoint's {@value SearchDemandEvent#OTHER_TERMS} record. 10,000 unless set (a few
     * megabytes at most), from 1 to 1,000,000.
     */
    public Builder demandMaxTerms(int maxTerms) {
      this.demandMaxTerms = maxTerms;
      return this;
    }

    /**
     * Terms searched fewer times than this in a bucket are published only within their endpoint's {@value
     * SearchDemandEvent#OTHER_TERMS} count, not on their own. 1 unless set (every term is listed), from 1 to 1000.
     * Raise it where few people search in an hour and a term searched once could be matched to the one person who
     * was active then.
     */
    public Builder demandMinimumCount(int minimumCount) {
      this.demandMinimumCount = minimumCount;
      return this;
    }

    /**
     * How many events of one type with a client address and no actor one address may have written per
     * {@link #anonymousEventWindow}: 60 unless set, from 1 to 1,000,000. Past that they are withheld and counted
     * ({@link Stats#withheld()}), and summarised in an {@link AuditEventType#AUDIT_WITHHELD} event when the window
     * closes; events with an actor never are.
     */
    public Builder anonymousEventsPerAddress(int perWindow) {
      this.anonymousPerAddress = perWindow;
      return this;
    }

    /**
     * The window of {@link #anonymousEventsPerAddress}, from an address's first such event of the type: one minute
     * unless set, from one second to one day.
     */
    public Builder anonymousEventWindow(Duration window) {
      this.anonymousWindow = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * Starts the dispatcher.
     *
     * @throws IllegalStateException if the clock or random is missing, the capacity, the search-demand cap, the
     *     minimum count or the share of anonymous events is out of range, or one sink object is added twice or as
     *     both an audit and a demand sink
     */
    public AuditLog build() {
      if (clock == null || random == null) {
        throw new IllegalStateException("AuditLog needs an injected clock and SecureRandom");
      }
      if (queueCapacity < 1 || queueCapacity > (1 << 20)) {
        throw new IllegalStateException(
            "queue capacity must be 1 to 1048576, got " + queueCapacity);
      }
      if (demandMaxTerms < 1 || demandMaxTerms > 1_000_000) {
        throw new IllegalStateException(
            "search-demand max terms must be 1 to 1000000, got " + demandMaxTerms);
      }
      if (anonymousPerAddress < 1 || anonymousPerAddress > 1_000_000) {
        throw new IllegalStateException(
            "anonymous events per address must be 1 to 1000000, got " + anonymousPerAddress);
      }
      if (anonymousWindow.compareTo(Duration.ofSeconds(1)) < 0
          || anonymousWindow.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalStateException(
            "the anonymous event window must be one second to one day, got " + anonymousWindow);
      }
      if (demandMinimumCount < 1 || demandMinimumCount > 1000) {
        throw new IllegalStateException(
            "search-demand minimum count must be 1 to 1000, got " + demandMinimumCount);
      }
      Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Object sink : auditSinks) {
        if (!seen.add(sink)) {
          throw new IllegalStateException("the same audit sink was added twice: " + sink);
        }
      }
      for (Object sink : demandSinks) {
        if (!seen.add(sink)) {
          throw new IllegalStateException(
              "a sink may take identified or search-demand events, not both, and only once: "
                  + sink);
        }
      }
      return new AuditLog(this);
    }
  }
}
