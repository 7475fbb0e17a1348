package dev.portcullis.jdbc;

import dev.portcullis.internal.DaemonThreads;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL stores of one portal node, on the application's {@link DataSource}: sessions, revocation, replay,
 * account links and login attempts. The tables are those of {@link JdbcSchema}; create them first, with a migration tool or
 * {@link JdbcSchema#apply}.
 *
 * <pre>{@code
 * JdbcStores jdbc = JdbcStores.builder(dataSource, clock)
 *     .cleanUpEvery(Duration.ofMinutes(5))
 *     .build();
 * RevocationStore revocations = jdbc.revocationStore();
 * ...
 * jdbc.close(); // at shutdown
 * }</pre>
 *
 * <p><b>Ownership.</b> The {@code DataSource} stays the application's (a pool such as HikariCP is recommended and not
 * required); this object never closes it. It owns the clean-up thread when {@link Builder#cleanUpEvery} is set (a
 * daemon whose context class loader is Portcullis' own, not that of the thread that built the stores).
 * {@link #close()} stops that thread; the stores it handed out then fail with {@link StoreUnavailableException}.
 *
 * <p><b>Expiry.</b> Every store decides expiry by the injected clock at read time, so a record past its time is never
 * used, whether or not it has been deleted. Deleting such rows is the bounded {@link #cleanUp()}: at most
 * {@link Builder#cleanUpBatchSize} rows per table per call, each batch one short transaction, so that it never holds
 * long locks. Run it from the application's scheduler or let {@link Builder#cleanUpEvery} run it.
 *
 * <p><b>Timeouts.</b> Three bound how long a request waits for the database:
 * <ul>
 *   <li>the <em>query timeout</em> ({@link Builder#queryTimeout}, default 1 s): each statement is cancelled after it;
 *   <li>the <em>network timeout</em> ({@link Builder#networkTimeout}, default the query timeout plus 1 s): set on
 *       each borrowed connection ({@link java.sql.Connection#setNetworkTimeout}), it ends a call whose database has
 *       stopped answering altogether (where the cancel request of the query timeout gets no answer either);
 *   <li>the <em>connection timeout</em>: how long the call waits for a connection from the {@code DataSource}. Only
 *       the pool knows it: set it near the query timeout (HikariCP's {@code connectionTimeout}, for example 1 s,
 *       rather than its 30 s default), or a pool exhausted by slow queries holds request threads that long.
 * </ul>
 * PostgreSQL's driver also waits, after a query timeout, for the cancel request it sends: up to its
 * {@code cancelSignalTimeout} (10 s unless set), on the request's thread. Set it to 1 (seconds) with the pool's
 * data-source properties or in the URL, or a database that stops answering holds requests that long.
 *
 * <p><b>Security.</b> Fails closed within a bounded time: any {@link java.sql.SQLException} (no connection, timeout,
 * server error) becomes {@link StoreUnavailableException}, which callers treat as "not authenticated". Service resumes
 * when the database returns, without a restart. Rows are keyed by SHA-256 hashes of identifiers, never the identifiers; logs name the operation and the
 * failure's SQLState, never a key, value or server message.
 */
public final class JdbcStores implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcStores.class);

  /** Each expiring table, the key column the clean-up deletes by, and the column holding the expiry. */
  private static final List<String[]> EXPIRING = List.of(
      new String[] {"portcullis_session", "id", "expires_ms"},
      new String[] {"portcullis_revoked_ticket", "ticket_hash", "expires_ms"},
      new String[] {"portcullis_user_cutoff", "user_hash", "keep_until_ms"},
      new String[] {"portcullis_used_token", "token_hash", "keep_until_ms"},
      new String[] {"portcullis_login_budget", "budget_hash", "keep_until_ms"},
      new String[] {"portcullis_known_address", "address_hash", "keep_until_ms"});

  private final JdbcCalls calls;
  private final int cleanUpBatchSize;
  private final ScheduledExecutorService cleaner;

  private JdbcStores(Builder b, Duration networkTimeout) {
    this.calls = new JdbcCalls(b.dataSource, b.clock, b.queryTimeout, networkTimeout, b.clockSkew);
    this.cleanUpBatchSize = b.cleanUpBatchSize;
    this.cleaner = b.cleanUpEvery == null
        ? null
        : Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("portcullis-jdbc-clean-up"));
  }

  /** Schedules the clean-up once the stores are constructed, so that the thread never sees them half made. */
  private JdbcStores startCleanUp(Duration every) {
    if (cleaner != null) {
      long period = every.toMillis();
      cleaner.scheduleWithFixedDelay(this::scheduledCleanUp, period, period, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * A builder for stores on {@code dataSource}.
   *
   * @param clock the time the stores decide expiry by; the same source the rest of Portcullis uses
   */
  public static Builder builder(DataSource dataSource, InstantSource clock) {
    return new Builder(
        Objects.requireNonNull(dataSource, "dataSource"), Objects.requireNonNull(clock, "clock"));
  }

  /** Revoked tickets and per-user cut-offs; one statement per check. */
  public RevocationStore revocationStore() {
    return new JdbcRevocationStore(calls);
  }

  /** Single-use token ids (SSO-upgrade tokens); one atomic statement per redemption. */
  public ReplayStore replayStore() {
    return new JdbcReplayStore(calls);
  }

  /**
   * The login limit's state, shared by every node on this database: pass it to
   * {@code LoginThrottle.Builder#store}, with the same {@code hashKey} on every node, for one limit for all of them.
   * One transaction per reservation, locking the budget's row.
   */
  public LoginAttemptStore loginAttemptStore() {
    return new JdbcLoginAttemptStore(calls);
  }

  /** Links from SSO identities to portal users. These never expire. */
  public AccountLinkStore accountLinkStore() {
    return new JdbcAccountLinkStore(calls);
  }

  /**
   * Sessions, with the idle and absolute timeouts of {@code config} (its {@code maxSessions} does not apply: the
   * database's size does). One statement per request that reads its session; one transaction more only when it
   * changed it. With this object's {@link #revocationStore()}, the session read and the revocation check of an
   * authenticated request are one statement together ({@link SessionStore#withRevocations}).
   */
  public SessionStore sessionStore(SessionConfig config) {
    return new JdbcSessionStore(calls, Objects.requireNonNull(config, "config"));
  }

  /**
   * Deletes rows whose time has passed by more than the clock skew: at most the batch size per table, each batch in
   * its own short transaction, rows another node's clean-up holds skipped. Call it again while it returns the full
   * amount to clear a backlog.
   *
   * @return how many rows were deleted
   * @throws StoreUnavailableException when the database does not answer
   */
  public int cleanUp() {
    long deadBefore = calls.nowMillis() - calls.skewMillis();
    int deleted = 0;
    for (String[] table : EXPIRING) {
      String sql = "DELETE FROM " + table[0] + " WHERE " + table[1] + " IN (SELECT " + table[1]
          + " FROM " + table[0] + " WHERE " + table[2] + " <= ? LIMIT ? FOR UPDATE SKIP LOCKED)";
      deleted += calls.call("clean up expired rows", c -> {
        try (PreparedStatement s = calls.prepare(c, sql)) {
          s.setLong(1, deadBefore);
          s.setInt(2, cleanUpBatchSize);
          return s.executeUpdate();
        }
      });
    }
    return deleted;
  }

  private void scheduledCleanUp() {
    try {
      int deleted = cleanUp();
      LOG.debug("Portcullis JDBC clean-up deleted {} expired row(s)", deleted);
    } catch (RuntimeException e) {
      // Already logged by the calls when the database failed; the next run tries again.
      LOG.debug("Portcullis JDBC clean-up failed ({})", e.getClass().getSimpleName());
    }
  }

  /** Stops the clean-up thread; again does nothing. The stores fail closed afterwards. The DataSource stays open. */
  @Override
  public void close() {
    if (!calls.close()) {
      return;
    }
    if (cleaner != null) {
      cleaner.shutdownNow();
      try {
        cleaner.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Settings of {@link JdbcStores}; {@link #build()} checks them. */
  public static final class Builder {
    /** How long a statement may run unless set otherwise. JDBC counts it in whole seconds. */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(1);
    /** How much longer than asked records are kept, unless set otherwise. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** Most rows the clean-up deletes per table per call, unless set otherwise. */
    public static final int DEFAULT_CLEAN_UP_BATCH_SIZE = 1000;

    private static final Duration LONGEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LONGEST_SKEW = Duration.ofMinutes(10);
    private static final Duration SHORTEST_CLEAN_UP_PERIOD = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private final InstantSource clock;
    private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
    private Duration networkTimeout;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private int cleanUpBatchSize = DEFAULT_CLEAN_UP_BATCH_SIZE;
    private Duration cleanUpEvery;

    private Builder(DataSource dataSource, InstantSource clock) {
      this.dataSource = dataSource;
      this.clock = clock;
    }

    /**
     * How long one statement may run before it is cancelled and the call fails closed; rounded up to whole seconds
     * (JDBC's unit), from 1 to 30 seconds.
     */
    public Builder queryTimeout(Duration timeout) {
      this.queryTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How long a call waits for any answer from the database on its connection before the call fails closed and the
     * connection is dropped; at least the query timeout (so that a cancelled statement can report back) and at most
     * 60 seconds. Default: the query timeout, in whole seconds, plus one second.
     */
    public Builder networkTimeout(Duration timeout) {
      this.networkTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How far the clocks of the nodes may disagree: a record is kept (and a used token refused) this much longer than
     * asked, so that a node whose clock is behind still finds it. From 0 to 10 minutes.
     */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = Objects.requireNonNull(skew, "skew");
      return this;
    }

    /** Most rows {@link JdbcStores#cleanUp()} deletes per table per call; from 1 to 100,000. */
    public Builder cleanUpBatchSize(int rows) {
      this.cleanUpBatchSize = rows;
      return this;
    }

    /**
     * Runs {@link JdbcStores#cleanUp()} on a thread of the stores' own every {@code period} (at least a second),
     * until {@link JdbcStores#close()}. Off unless set: the application may run the clean-up from its own scheduler.
     */
    public Builder cleanUpEvery(Duration period) {
      this.cleanUpEvery = Objects.requireNonNull(period, "period");
      return this;
    }

    /**
     * The stores. Checks no connection: a database that is down now makes the first calls fail closed, and service
     * starts when it answers.
     *
     * @throws IllegalArgumentException when a setting is out of range
     */
    public JdbcStores build() {
      if (queryTimeout.isNegative()
          || queryTimeout.isZero()
          || queryTimeout.compareTo(LONGEST_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "queryTimeout must be more than 0 and at most 30 seconds");
      }
      Duration network = JdbcCalls.networkTimeout(networkTimeout, queryTimeout);
      if (clockSkew.isNegative() || clockSkew.compareTo(LONGEST_SKEW) > 0) {
        throw new IllegalArgumentException("clockSkew must be from 0 to 10 minutes");
      }
      if (cleanUpBatchSize < 1 || cleanUpBatchSize > 100_000) {
        throw new IllegalArgumentException("cleanUpBatchSize must be from 1 to 100,000");
      }
      if (cleanUpEvery != null && cleanUpEvery.compareTo(SHORTEST_CLEAN_UP_PERIOD) < 0) {
        throw new IllegalArgumentException("cleanUpEvery must be at least a second");
      }
      return new JdbcStores(this, network).startCleanUp(cleanUpEvery);
    }
  }
}
