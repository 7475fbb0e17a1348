package dev.portcullis.jdbc;

import dev.portcullis.revocation.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every database call of the stores: borrows a connection from the {@link DataSource}, gives it the network
 * timeout and each statement the query timeout, and turns any {@link SQLException} (no connection, timeout, server error) into
 * {@link StoreUnavailableException}, so that callers fail closed.
 *
 * <p>Logs a warning with the operation and the kind of failure, never a key, value or parameter; during an outage at
 * most one warning per {@value #WARN_EVERY_SECONDS} seconds (the rest go to debug), and one line when the database
 * answers again.
 */
final class JdbcCalls {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcStores.class);
  private static final long WARN_EVERY_SECONDS = 10;
  /** Longest a record is kept, whatever the caller asks; keeps the millisecond arithmetic far from overflow. */
  private static final long LONGEST_MILLIS = Duration.ofDays(3650).toMillis();
  /** Longest network timeout a builder accepts. */
  private static final Duration LONGEST_NETWORK_TIMEOUT = Duration.ofSeconds(60);

  /** One unit of work on a borrowed connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;
  private final InstantSource clock;
  private final int timeoutSeconds;
  private final int networkTimeoutMillis;
  private final long skewMillis;
  private final AtomicLong failuresInRow = new AtomicLong();
  private final AtomicLong lastWarnNanos = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  JdbcCalls(
      DataSource dataSource,
      InstantSource clock,
      Duration queryTimeout,
      Duration networkTimeout,
      Duration skew) {
    this.dataSource = dataSource;
    this.clock = clock;
    // JDBC counts query timeouts in whole seconds; round up so that no call is cut shorter than
    // asked.
    this.timeoutSeconds = (int) Math.max(1, (queryTimeout.toMillis() + 999) / 1000);
    this.networkTimeoutMillis = networkTimeoutMillis(networkTimeout);
    this.skewMillis = skew.toMillis();
  }

  /**
   * The network timeout a builder's settings give: {@code set}, checked, or when {@code null} the default, the query
   * timeout in whole seconds plus one second. Shared by {@link JdbcStores.Builder} and {@link JdbcUserDirectory.Builder}
   * so that both bound a call alike.
   *
   * @throws IllegalArgumentException when {@code set} is below the query timeout (in whole seconds, JDBC's unit: a
   *     cancelled statement must be able to report back) or above 60 seconds
   */
  static Duration networkTimeout(Duration set, Duration queryTimeout) {
    long querySeconds = (queryTimeout.toMillis() + 999) / 1000;
    if (set == null) {
      return Duration.ofSeconds(querySeconds + 1);
    }
    if (set.compareTo(Duration.ofSeconds(querySeconds)) < 0
        || set.compareTo(LONGEST_NETWORK_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "networkTimeout must be at least the query timeout and at most 60 seconds");
    }
    return set;
  }

  /** {@code networkTimeout} in the milliseconds {@link Connection#setNetworkTimeout} takes, at most its largest. */
  static int networkTimeoutMillis(Duration networkTimeout) {
    return (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis());
  }

  /**
   * A connection from {@code dataSource} with the network timeout set ({@link Connection#setNetworkTimeout}). It bounds
   * every read on the socket, so that a database that stops answering altogether (where the query timeout's cancel
   * request gets no answer either) fails the call instead of holding the thread. A pool puts its own value back when
   * the connection returns. The caller closes the connection; it is closed here when setting the timeout fails.
   */
  static Connection borrow(DataSource dataSource, int networkTimeoutMillis) throws SQLException {
    Connection connection = dataSource.getConnection();
    try {
      connection.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
    } catch (SQLFeatureNotSupportedException unsupported) {
      // A driver without it: its own socket timeout setting is the bound (see JdbcStores).
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return connection;
  }

  /** Runs {@code work} in auto-commit mode; {@code operation} names it in logs and exceptions and holds no data. */
  <T> T call(String operation, Work<T> work) {
    return run(operation, false, work);
  }

  /**
   * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws. Work that decides
   * to change nothing rolls back itself ({@link Connection#rollback()}) before returning.
   */
  <T> T transaction(String operation, Work<T> work) {
    return run(operation, true, work);
  }

  /** A statement with the query timeout set. */
  PreparedStatement prepare(Connection connection, String sql) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    statement.setQueryTimeout(timeoutSeconds);
    return statement;
  }

  Instant now() {
    return clock.instant();
  }

  long nowMillis() {
    return clock.instant().toEpochMilli();
  }

  long skewMillis() {
    return skewMillis;
  }

  /**
   * True when a record the SPI lets go at {@code until} is already gone for every node, even one whose clock is behind
   * by the clock skew: nothing would ever read it, so it need not be written.
   */
  boolean goneEverywhere(Instant until) {
    return ceilMillis(until) + skewMillis <= nowMillis();
  }

  /** {@code t} in epoch milliseconds, rounded up (so that a record never ends before its instant) and bounded. */
  long ceilMillis(Instant t) {
    long now = nowMillis();
    long ms;
    try {
      ms = t.toEpochMilli();
      if (t.getNano() % 1_000_000 != 0) {
        ms++;
      }
    } catch (ArithmeticException e) {
      ms = t.isAfter(Instant.EPOCH) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return Math.max(now - LONGEST_MILLIS, Math.min(now + LONGEST_MILLIS, ms));
  }

  /** Every later call fails closed at once. True the first time only. */
  boolean close() {
    return closed.compareAndSet(false, true);
  }

  private <T> T run(String operation, boolean transaction, Work<T> work) {
    if (closed.get()) {
      throw new StoreUnavailableException("JDBC stores closed: " + operation, null);
    }
    T result;
    try (Connection connection = borrow(dataSource, networkTimeoutMillis)) {
      if (transaction) {
        result = inTransaction(connection, work);
      } else {
        if (!connection.getAutoCommit()) {
          connection.setAutoCommit(true);
        }
        result = work.run(connection);
      }
    } catch (SQLException e) {
      throw failed(operation, e);
    }
    if (failuresInRow.get() != 0) {
      long failed = failuresInRow.getAndSet(0);
      if (failed != 0) {
        LOG.info("Portcullis JDBC stores answer again, after {} failed call(s)", failed);
      }
    }
    return result;
  }

  private static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
    connection.setAutoCommit(false);
    try {
      T result = work.run(connection);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      // A pooled connection goes back as it came; a broken one throws here, and the pool drops it.
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the connection is closed next; the pool discards a broken one
      }
    }
  }

  private StoreUnavailableException failed(String operation, SQLException e) {
    long n = failuresInRow.incrementAndGet();
    long now = System.nanoTime();
    long last = lastWarnNanos.get();
    boolean warn = n == 1 || now - last >= TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS);
    // The SQLState, never the message: a server message can quote the values of a statement.
    String kind = e.getClass().getSimpleName() + ", SQLState " + e.getSQLState();
    if (warn && lastWarnNanos.compareAndSet(last, now)) {
      LOG.warn(
          "Portcullis JDBC store could not {} ({}); failing closed, {} failed call(s) in a row",
          operation,
          kind,
          n);
    } else {
      LOG.debug("Portcullis JDBC store could not {} ({})", operation, kind);
    }
    // The cause is logged with the exception (the session registry does): without the driver's
    // message, for the same reason.
    return new StoreUnavailableException(
        "JDBC store unavailable: " + operation, SqlErrors.withoutMessages(e));
  }
}
