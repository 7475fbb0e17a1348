package dev.portcullis.audit;

import dev.portcullis.login.PendingLogouts;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Micrometer counters for auditing. Micrometer is an optional dependency of Portcullis: only this class touches it,
 * and it is loaded only when an application calls it, so the rest of the audit package works without Micrometer on
 * the class path.
 *
 * <ul>
 *   <li>{@link #counting(AuditSink, MeterRegistry)}: {@value #AUDIT_EVENTS}, tagged {@code type} and {@code
 *       outcome}, one count per event the sink took (an event a failing sink refused and took on a later attempt
 *       counts once);
 *   <li>{@link #counting(SearchDemandSink, MeterRegistry)}: {@value #SEARCH_DEMAND_EVENTS}, tagged {@code endpoint}:
 *       the searches of each published record, counted when the record's bucket is published (not as each search
 *       comes, which would time it);
 *   <li>{@link #bind(AuditLog, MeterRegistry)}: the log's own counters ({@code portcullis.audit.emitted}, {@code
 *       .dropped}, {@code .withheld}, {@code .delivered}, {@code .sink.failures}), the queue length ({@code
 *       portcullis.audit.queued}) and the sinks' health: {@value #FAILING_SINKS} (identified-event sinks out of
 *       service, 0 when all is well: alert on anything else) and {@value #KEPT_EVENTS} (events kept for them);
 *   <li>{@link #bind(SessionAudit, MeterRegistry)}: anonymous session churn, which is counted instead of audited line
 *       by line ({@value #ANONYMOUS_SESSIONS_CREATED}, {@value #ANONYMOUS_SESSIONS_ENDED},
 *       {@value #ANONYMOUS_SESSIONS_REFUSED});
 *   <li>{@link #bindPendingLogouts(Supplier, MeterRegistry)}: the logouts a failing store could not finish
 *       ({@value #PENDING_LOGOUTS}, {@value #PENDING_LOGOUTS_DROPPED}, {@value #PENDING_LOGOUTS_OLDEST}).
 * </ul>
 *
 * <p><b>Security.</b> Tags hold only the event type, outcome and search endpoint: never a user, resource or term,
 * which would leak into the metrics backend and blow up its cardinality. No meter moves when a search comes in: the
 * search counter steps once per published bucket, and the log's own counters count identified events only.
 */
public final class AuditMetrics {
  /** Counter name for identified events. */
  public static final String AUDIT_EVENTS = "portcullis.audit.events";
  /** Counter name for sessions created without a user. */
  public static final String ANONYMOUS_SESSIONS_CREATED = "portcullis.sessions.anonymous.created";
  /** Counter name for sessions without a user that expired or were evicted. */
  public static final String ANONYMOUS_SESSIONS_ENDED = "portcullis.sessions.anonymous.ended";
  /** Counter name for new anonymous sessions not stored because their client address had made too many. */
  public static final String ANONYMOUS_SESSIONS_REFUSED = "portcullis.sessions.anonymous.refused";
  /** Counter name for searches, counted per published search-demand bucket. */
  /** Counter of store calls that threw, tagged {@code store}, {@code operation} and {@code kind} (error, timeout). */
  public static final String STORE_ERRORS = "portcullis.store.errors";

  /** Gauge of the sessions a Caffeine store holds, tagged {@code kind} {@code user} or {@code anonymous}. */
  public static final String ACTIVE_SESSIONS = "portcullis.sessions.active";

  public static final String SEARCH_DEMAND_EVENTS = "portcullis.search.demand.events";
  /** Gauge name: identified-event sinks out of service; see {@link AuditLog#health()}. */
  public static final String FAILING_SINKS = "portcullis.audit.sinks.failing";
  /** Gauge name: events kept for sinks out of service; see {@link AuditLog#health()}. */
  public static final String KEPT_EVENTS = "portcullis.audit.kept";

  /** Gauge name: logouts a failing store could not finish, pending on this node; see {@link PendingLogouts}. */
  public static final String PENDING_LOGOUTS = "portcullis.logouts.pending";
  /** Counter name: pending logouts dropped unfinished because the node's list was full. */
  public static final String PENDING_LOGOUTS_DROPPED = "portcullis.logouts.pending.dropped";
  /** Time gauge name: how long the longest-waiting pending logout has waited, in seconds; 0 when none is pending. */
  public static final String PENDING_LOGOUTS_OLDEST = "portcullis.logouts.pending.oldest";

  private AuditMetrics() {}

  /** A sink that counts each event by type and outcome, then hands it to {@code delegate}. */
  public static AuditSink counting(AuditSink delegate, MeterRegistry registry) {
    Objects.requireNonNull(delegate, "delegate");
    return new CountingAudit(delegate, Objects.requireNonNull(registry, "registry"));
  }

  /** A sink that counts the searches of each published record by endpoint, then hands it to {@code delegate}. */
  public static SearchDemandSink counting(SearchDemandSink delegate, MeterRegistry registry) {
    Objects.requireNonNull(delegate, "delegate");
    return new CountingDemand(delegate, Objects.requireNonNull(registry, "registry"));
  }

  private static final class CountingAudit extends ForwardingSink<AuditSink> implements AuditSink {
    private final MeterRegistry registry;

    CountingAudit(AuditSink delegate, MeterRegistry registry) {
      super(delegate, "AuditMetrics.counting(" + delegate + ")");
      this.registry = registry;
    }

    @Override
    public void accept(AuditEvent event) throws IOException {
      target.accept(event); // first: a refused event is offered again and must count once
      Counter.builder(AUDIT_EVENTS)
          .description("Audit events by type and outcome")
          .tag("type", event.type().name())
          .tag("outcome", event.outcome().label())
          .register(registry)
          .increment();
    }
  }

  private static final class CountingDemand extends ForwardingSink<SearchDemandSink>
      implements SearchDemandSink {
    private final MeterRegistry registry;

    CountingDemand(SearchDemandSink delegate, MeterRegistry registry) {
      super(delegate, "AuditMetrics.counting(" + delegate + ")");
      this.registry = registry;
    }

    @Override
    public void accept(SearchDemandEvent event) throws IOException {
      Counter.builder(SEARCH_DEMAND_EVENTS)
          .description(
              "Anonymous searches by endpoint, counted when their time bucket is published")
          .tag("endpoint", event.endpoint())
          .register(registry)
          .increment(event.searches());
      target.accept(event);
    }
  }

  /** Publishes the anonymous session churn that {@code sessions} counts instead of writing it to the audit log. */
  public static void bind(SessionAudit sessions, MeterRegistry registry) {
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(registry, "registry");
    FunctionCounter.builder(ANONYMOUS_SESSIONS_CREATED, sessions, SessionAudit::anonymousCreated)
        .description("Sessions created without a logged-in user (counted, not audited)")
        .register(registry);
    FunctionCounter.builder(ANONYMOUS_SESSIONS_ENDED, sessions, SessionAudit::anonymousEnded)
        .description("Sessions without a user that expired or were evicted (counted, not audited)")
        .register(registry);
    FunctionCounter.builder(ANONYMOUS_SESSIONS_REFUSED, sessions, SessionAudit::anonymousRefused)
        .description(
            "New sessions without a user that were not stored: their client address had made too many")
        .register(registry);
  }

  /**
   * {@code store}, counting each call that throws in {@value #STORE_ERRORS}, tagged {@code store} (the kind, from the
   * class name: {@code caffeine}, {@code redis}, {@code jdbc}, ...), {@code operation} ({@code load}, {@code save},
   * ...) and {@code kind} ({@code timeout} when the exception or a cause is a timeout, {@code error} otherwise). The
   * exception goes on to the caller unchanged.
   */
  public static SessionStore counting(SessionStore store, MeterRegistry registry) {
    return new StoreErrorCounting.Sessions(
        Objects.requireNonNull(store, "store"), Objects.requireNonNull(registry, "registry"));
  }

  /** As {@link #counting(SessionStore, MeterRegistry)}, for a revocation store. */
  public static RevocationStore counting(RevocationStore store, MeterRegistry registry) {
    return new StoreErrorCounting.Revocations(
        Objects.requireNonNull(store, "store"), Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Whether {@code store} is already a decorator of {@link #counting(SessionStore, MeterRegistry)} or {@link
   * #counting(RevocationStore, MeterRegistry)}: a framework that wraps the stores it is given wraps each once.
   */
  public static boolean isCounting(Object store) {
    return store instanceof StoreErrorCounting.Sessions
        || store instanceof StoreErrorCounting.Revocations;
  }

  /**
   * Publishes the sessions {@code store} holds as the gauge {@value #ACTIVE_SESSIONS}, tagged {@code kind}
   * {@code user} (logged-in sessions) or {@code anonymous}, from the cache's own estimates (no scan).
   */
  public static void bind(CaffeineSessionStore store, MeterRegistry registry) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(registry, "registry");
    Gauge.builder(
            ACTIVE_SESSIONS,
            store,
            s -> Math.max(0, s.estimatedSize() - s.estimatedAnonymousSize()))
        .tag("kind", "user")
        .description("Sessions with a logged-in user held by the store (estimate)")
        .register(registry);
    Gauge.builder(ACTIVE_SESSIONS, store, CaffeineSessionStore::estimatedAnonymousSize)
        .tag("kind", "anonymous")
        .description("Sessions without a user held by the store (estimate)")
        .register(registry);
  }

  /**
   * Publishes a node's pending logouts, read from {@code stats} at each scrape (for a filter:
   * {@code () -> filter.pendingLogouts().orElseThrow()}): {@value #PENDING_LOGOUTS} (0 when all is well; during a
   * store outage, the logouts waiting for it), {@value #PENDING_LOGOUTS_DROPPED} (any rise is a logout that was never
   * finished on the server) and {@value #PENDING_LOGOUTS_OLDEST} (past 5 minutes with the stores answering, a store is
   * still refusing the writes).
   */
  public static void bindPendingLogouts(
      Supplier<PendingLogouts.Stats> stats, MeterRegistry registry) {
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(registry, "registry");
    // Meters hold their state weakly; the gauge holds it strongly, which keeps it for the other
    // two.
    Gauge.builder(PENDING_LOGOUTS, stats, s -> s.get().pending())
        .strongReference(true)
        .description("Logouts a failing store could not finish, kept on this node to finish later")
        .register(registry);
    FunctionCounter.builder(PENDING_LOGOUTS_DROPPED, stats, s -> s.get().dropped())
        .description("Pending logouts dropped unfinished because this node's list was full")
        .register(registry);
    TimeGauge.builder(
            PENDING_LOGOUTS_OLDEST,
            stats,
            TimeUnit.MILLISECONDS,
            s -> s.get().oldestWaiting().toMillis())
        .strongReference(true)
        .description(
            "How long the longest-waiting pending logout has waited; 0 when none is pending")
        .register(registry);
  }

  /**
   * Registers the log's delivery counters and queue length, which read {@link AuditLog#stats()}, and its sinks'
   * health, which reads {@link AuditLog#health()}.
   */
  public static void bind(AuditLog log, MeterRegistry registry) {
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(registry, "registry");
    FunctionCounter.builder("portcullis.audit.emitted", log, l -> l.stats().emitted())
        .description("Identified audit events accepted for delivery")
        .register(registry);
    FunctionCounter.builder("portcullis.audit.dropped", log, l -> l.stats().dropped())
        .description("Events dropped because the audit queue was full")
        .register(registry);
    FunctionCounter.builder("portcullis.audit.withheld", log, l -> l.stats().withheld())
        .description("Anonymous events not written because their client address had had its share")
        .register(registry);
    FunctionCounter.builder("portcullis.audit.delivered", log, l -> l.stats().delivered())
        .description("Events handed to a sink without error")
        .register(registry);
    FunctionCounter.builder(
            "portcullis.audit.sink.failures", log, l -> l.stats().sinkFailures())
        .description("Sink calls that failed")
        .register(registry);
    Gauge.builder("portcullis.audit.queued", log, l -> l.stats().queued())
        .description("Events waiting for the audit dispatcher")
        .register(registry);
    Gauge.builder(FAILING_SINKS, log, l -> l.health().failingSinks())
        .description("Audit sinks out of service (their writes fail); 0 when all is well")
        .register(registry);
    Gauge.builder(KEPT_EVENTS, log, l -> l.health().keptEvents())
        .description("Audit events kept for sinks out of service, written once they recover")
        .register(registry);
  }
}
