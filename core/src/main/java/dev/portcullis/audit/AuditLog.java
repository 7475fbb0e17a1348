package dev.portcullis.audit;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.security.SecureRandom;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
 * audit.searched("/providers/search", query, results.size());   // anonymous: no user, session or address
 * ...
 * audit.close();                                      // delivers everything queued, then closes the sinks
 * }</pre>
 *
 * <p><b>Delivery.</b> {@code emit} puts the event on a bounded queue and returns. When the queue is full it waits for
 * room ({@link WhenFull#BLOCK}, the default), even if the thread is interrupted (the interrupt is kept for the
 * caller); with {@link WhenFull#DROP} it drops the event instead, counts it and logs an error. The dispatcher hands
 * each event to every sink of its kind in order of emission per emitting thread. A sink that throws is reported on
 * the SLF4J logger {@code dev.portcullis.audit.AuditLog} (event type, sink and exception class only; never the
 * message, which may quote the event) and counted in {@link #stats()}; the event still goes to the other sinks, and
 * later events to the failing one. Nothing is retried.
 *
 * <p><b>Closing.</b> {@link #close()} stops intake, delivers everything already queued, flushes and closes the sinks
 * and waits for the dispatcher to finish. Emitting after that throws {@link IllegalStateException}: an event that
 * can't be recorded is an error the caller must see, not a silent loss. Call {@code close()} on shutdown; the
 * dispatcher is a daemon thread, so events still queued when the JVM exits without it are lost.
 *
 * <p><b>Security.</b> Identified and search-demand events travel as different types to different sinks; no sink gets
 * both. Failures are reported without event content. Event ids are 128 bits from the injected {@link SecureRandom}.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Object STOP = new Object();

  private final InstantSource clock;
  private final SecureRandom random;
  private final List<AuditSink> auditSinks;
  private final List<SearchDemandSink> demandSinks;
  private final Duration demandBucket;
  private final WhenFull whenFull;
  private final BlockingQueue<Object> queue;
  private final ReentrantReadWriteLock intake = new ReentrantReadWriteLock();
  private final Thread dispatcher;
  private boolean closed; // guarded by intake

  private final LongAdder emitted = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong sinkFailures = new AtomicLong();

  private AuditLog(Builder b) {
    this.clock = b.clock;
    this.random = b.random;
    this.auditSinks = List.copyOf(b.auditSinks.isEmpty() ? List.of(AuditSink.slf4j()) : b.auditSinks);
    this.demandSinks = List.copyOf(b.demandSinks.isEmpty() ? List.of(SearchDemandSink.slf4j()) : b.demandSinks);
    this.demandBucket = b.demandBucket;
    this.whenFull = b.whenFull;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    this.dispatcher = new Thread(this::dispatch, "portcullis-audit");
    this.dispatcher.setDaemon(true);
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
   * Queues an identified event for the audit sinks.
   *
   * @throws IllegalStateException if the log is closed
   */
  public void emit(AuditEvent event) {
    enqueue(Objects.requireNonNull(event, "event"), event.type().name());
  }

  /**
   * Queues an anonymous search-demand event for the demand sinks; see {@link SearchDemandEvent#of} for how the query
   * is normalised. The time is this log's clock, truncated to the demand bucket.
   *
   * @param endpoint which search, {@code [A-Za-z0-9/_.-]{1,100}}
   * @param rawQuery what the user typed
   * @param resultCount how many results the search gave
   * @throws IllegalArgumentException if the endpoint is not valid or the count is negative
   * @throws IllegalStateException if the log is closed
   */
  public void searched(String endpoint, String rawQuery, int resultCount) {
    emit(SearchDemandEvent.of(rawQuery, resultCount, endpoint, clock.instant(), demandBucket));
  }

  /**
   * Queues a search-demand event made elsewhere.
   *
   * @throws IllegalStateException if the log is closed
   */
  public void emit(SearchDemandEvent event) {
    enqueue(Objects.requireNonNull(event, "event"), EventFormat.KIND_SEARCH_DEMAND);
  }

  /**
   * Waits until everything emitted before this call has been handed to the sinks and the sinks are flushed.
   *
   * @return false if that took longer than {@code timeout}
   * @throws IllegalStateException if the log is closed
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    put(done, "flush");
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The counters so far. */
  public Stats stats() {
    return new Stats(emitted.sum(), dropped.sum(), delivered.get(), sinkFailures.get(), queue.size());
  }

  /**
   * Delivers what is queued, flushes and closes every sink, and stops the dispatcher. Waits for all of it; calling
   * it again does nothing.
   */
  @Override
  public void close() {
    intake.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      putUninterruptibly(STOP);
    } finally {
      intake.writeLock().unlock();
    }
    boolean interrupted = false;
    while (true) {
      try {
        dispatcher.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
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
        emitted.increment();
        return;
      }
    } finally {
      intake.readLock().unlock();
    }
    dropped.increment();
    long total = dropped.sum();
    if (total == 1 || total % 1000 == 0) {
      LOG.error("Audit queue full: dropped a {} event ({} dropped so far); the sinks are not keeping up", what, total);
    }
  }

  private void put(Object item, String what) {
    intake.readLock().lock();
    try {
      checkOpen(what);
      putUninterruptibly(item);
    } finally {
      intake.readLock().unlock();
    }
  }

  private void checkOpen(String what) {
    if (closed) {
      throw new IllegalStateException("AuditLog is closed: the " + what + " event was not recorded");
    }
  }

  private void putUninterruptibly(Object item) {
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(item);
        break;
      } catch (InterruptedException e) {
        // Blocking, not dropping, is the contract; the caller gets its interrupt back once the event is queued.
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
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // only close() ends the dispatcher, through STOP
      }
      queue.drainTo(batch, 255);
      for (Object item : batch) {
        if (item == STOP) {
          stop = true;
        } else if (item instanceof AuditEvent event) {
          for (AuditSink sink : auditSinks) {
            deliver(sink, event, event.type().name());
          }
        } else if (item instanceof SearchDemandEvent event) {
          for (SearchDemandSink sink : demandSinks) {
            deliver(sink, event);
          }
        } else if (item instanceof CountDownLatch flushed) {
          flushSinks();
          flushed.countDown();
        }
      }
      batch.clear();
      if (queue.isEmpty()) {
        flushSinks();
      }
    }
    closeSinks();
  }

  private void deliver(AuditSink sink, AuditEvent event, String type) {
    try {
      sink.accept(event);
      delivered.incrementAndGet();
    } catch (Throwable t) { // a sink must never stop the dispatcher, whatever it throws
      failed(sink, "deliver a " + type + " event", t);
    }
  }

  private void deliver(SearchDemandSink sink, SearchDemandEvent event) {
    try {
      sink.accept(event);
      delivered.incrementAndGet();
    } catch (Throwable t) {
      failed(sink, "deliver a " + EventFormat.KIND_SEARCH_DEMAND + " event", t);
    }
  }

  private void flushSinks() {
    for (AutoCloseable sink : allSinks()) {
      try {
        if (sink instanceof AuditSink a) {
          a.flush();
        } else {
          ((SearchDemandSink) sink).flush();
        }
      } catch (Throwable t) {
        failed(sink, "flush", t);
      }
    }
  }

  private void closeSinks() {
    for (AutoCloseable sink : allSinks()) {
      try {
        sink.close();
      } catch (Throwable t) {
        failed(sink, "close", t);
      }
    }
  }

  private List<AutoCloseable> allSinks() {
    List<AutoCloseable> all = new ArrayList<>(auditSinks.size() + demandSinks.size());
    all.addAll(auditSinks);
    all.addAll(demandSinks);
    return all;
  }

  private void failed(Object sink, String what, Throwable t) {
    long count = sinkFailures.incrementAndGet();
    // The exception's message and stack may quote the event; the class name is enough to start looking.
    LOG.error("Audit sink {} failed to {}: {} ({} sink failures so far)", sink, what, t.getClass().getName(), count);
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
   * @param emitted events accepted onto the queue
   * @param dropped events refused because the queue was full ({@link WhenFull#DROP} only)
   * @param delivered successful hand-overs to a sink (an event with two sinks counts twice)
   * @param sinkFailures sink calls that threw: deliveries, flushes and closes
   * @param queued events waiting in the queue now
   */
  public record Stats(long emitted, long dropped, long delivered, long sinkFailures, int queued) {}

  /** Configures an {@link AuditLog}; {@link #build()} checks the whole. */
  public static final class Builder {
    private InstantSource clock;
    private SecureRandom random;
    private final List<AuditSink> auditSinks = new ArrayList<>();
    private final List<SearchDemandSink> demandSinks = new ArrayList<>();
    private int queueCapacity = 8192;
    private WhenFull whenFull = WhenFull.BLOCK;
    private Duration demandBucket = SearchDemandEvent.DEFAULT_BUCKET;

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

    /** The search-demand time bucket: one hour unless set; see {@link SearchDemandEvent#bucket()}. */
    public Builder demandBucket(Duration bucket) {
      SearchDemandEvent.checkBucket(bucket);
      this.demandBucket = bucket;
      return this;
    }

    /**
     * Starts the dispatcher.
     *
     * @throws IllegalStateException if the clock or random is missing, the capacity is out of range, or one sink
     *     object is added twice or as both an audit and a demand sink
     */
    public AuditLog build() {
      if (clock == null || random == null) {
        throw new IllegalStateException("AuditLog needs an injected clock and SecureRandom");
      }
      if (queueCapacity < 1 || queueCapacity > (1 << 20)) {
        throw new IllegalStateException("queue capacity must be 1 to 1048576, got " + queueCapacity);
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
              "a sink may take identified or search-demand events, not both, and only once: " + sink);
        }
      }
      return new AuditLog(this);
    }
  }
}
