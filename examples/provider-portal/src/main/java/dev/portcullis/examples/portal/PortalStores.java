package dev.portcullis.examples.portal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.jdbc.JdbcSchema;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the portal keeps what several nodes would share: sessions, revocations, the login limit's budgets, single-use
 * marks and single sign-on's account links. In memory
 * (one node) unless the options name a database; then in PostgreSQL, through a HikariCP pool, with the tables created
 * at start-up when missing ({@link JdbcSchema#apply}).
 *
 * <p><b>Timeouts.</b> A request waits at most {@link #CONNECTION_TIMEOUT} for a connection from the pool, and each
 * statement at most {@link #QUERY_TIMEOUT} ({@link #NETWORK_TIMEOUT} for any answer at all). A database that stops,
 * or a pool taken up by slow queries, therefore makes requests anonymous (sent to the login page) within about two
 * seconds instead of holding them; the same cookies work again once the database answers. A flood of anonymous logins
 * takes no more connections than the logins checked at once ({@link
 * dev.portcullis.login.PortalLogin.Builder#maxConcurrentPasswordChecks}, half the processors by default), each only
 * for its statements, so logged-in users' session lookups still find one ({@code PortalLoginFloodTest}).
 *
 * <p><b>Security.</b> The database user and password come from {@code PORTAL_DATABASE_USER} and
 * {@code PORTAL_DATABASE_PASSWORD} only; a URL holding a password is refused, and neither is logged. The login
 * limit's hash key is derived from the key ring's active key, which every node shares.
 */
final class PortalStores implements AutoCloseable {
  static final String URL_PREFIX = "jdbc:postgresql://";
  static final String USER_VARIABLE = "PORTAL_DATABASE_USER";
  static final String PASSWORD_VARIABLE = "PORTAL_DATABASE_PASSWORD";
  static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
  static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(2);
  static final int POOL_SIZE = 10;

  private static final Logger log = LoggerFactory.getLogger(PortalStores.class);

  private final SessionStore sessions;
  private final RevocationStore revocations;
  private final LoginThrottle throttle;
  private final JdbcStores jdbc;
  private final HikariDataSource pool;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PortalStores(
      SessionStore sessions,
      RevocationStore revocations,
      LoginThrottle throttle,
      JdbcStores jdbc,
      HikariDataSource pool) {
    this.sessions = sessions;
    this.revocations = revocations;
    this.throttle = throttle;
    this.jdbc = jdbc;
    this.pool = pool;
  }

  /** @throws IllegalArgumentException when {@code url} is not a PostgreSQL JDBC URL or holds a password */
  static void checkDatabaseUrl(String url) {
    if (url == null) {
      return;
    }
    if (!url.startsWith(URL_PREFIX)) {
      throw new IllegalArgumentException(
          "the database URL must start with " + URL_PREFIX + "; " + PortalOptions.USAGE);
    }
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.contains("password=") || url.indexOf('@') >= 0) {
      throw new IllegalArgumentException(
          "the database URL must not hold a password: set " + PASSWORD_VARIABLE + " instead");
    }
  }

  /**
   * The stores the options ask for. With a database, connects, creates the missing tables and starts the clean-up of
   * expired rows.
   *
   * @throws dev.portcullis.revocation.StoreUnavailableException when the database cannot be reached at start-up
   */
  static PortalStores open(
      PortalOptions options,
      Map<String, String> env,
      SessionConfig sessionConfig,
      KeyRing keys,
      AuditLog audit,
      InstantSource clock,
      SecureRandom random) {
    if (options.databaseUrl() == null) {
      SessionStore sessions = CaffeineSessionStore.builder(sessionConfig, clock)
          .listener(new SessionAudit(audit))
          .build();
      return new PortalStores(sessions, RevocationStore.inMemory(clock), null, null, null);
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(options.databaseUrl());
    config.setUsername(env.get(USER_VARIABLE));
    config.setPassword(env.get(PASSWORD_VARIABLE));
    config.setPoolName("portal");
    config.setMaximumPoolSize(POOL_SIZE);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    // Below the connection timeout, as HikariCP requires: the check of an idle connection.
    config.setValidationTimeout(CONNECTION_TIMEOUT.toMillis() / 2);
    // The driver's wait for the answer to a cancelled statement (10 s unless set): a request waits
    // for it after its query timeout.
    config.addDataSourceProperty("cancelSignalTimeout", "1");
    // Start even when the database is not up yet: requests fail closed until it answers.
    config.setInitializationFailTimeout(-1);
    HikariDataSource pool = new HikariDataSource(config);
    try {
      JdbcSchema.apply(pool);
      JdbcStores jdbc = JdbcStores.builder(pool, clock)
          .queryTimeout(QUERY_TIMEOUT)
          .networkTimeout(NETWORK_TIMEOUT)
          .cleanUpEvery(Duration.ofMinutes(5))
          .build();
      LoginThrottle throttle = LoginThrottle.builder(clock)
          .random(random)
          .store(jdbc.loginAttemptStore())
          .hashKey(LoginThrottle.hashKeyOf(keys))
          .build();
      log.info("Sessions, revocations and login budgets in PostgreSQL (pool of {})", POOL_SIZE);
      return new PortalStores(
          jdbc.sessionStore(sessionConfig), jdbc.revocationStore(), throttle, jdbc, pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  SessionStore sessions() {
    return sessions;
  }

  RevocationStore revocations() {
    return revocations;
  }

  /**
   * Where the legacy cut-over remembers which old cookies it upgraded, and single sign-on which upgrade tokens and
   * provider answers it redeemed (each at most once): the database's table when there is one, so that every node
   * refuses a second use, or memory.
   */
  ReplayStore replay(InstantSource clock) {
    return jdbc != null ? jdbc.replayStore() : ReplayStore.inMemory(clock);
  }

  /**
   * Where single sign-on keeps which identities are linked to which users: the database's table when there is one, so
   * that a link made or removed on one node holds on every node, or memory.
   */
  AccountLinkStore links() {
    return jdbc != null ? jdbc.accountLinkStore() : AccountLinkStore.inMemory();
  }

  /** The login limit on the database, or null for the login's own in-memory one. */
  LoginThrottle throttle() {
    return throttle;
  }

  /** Stops the clean-up and closes the pool; again does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || jdbc == null) {
      return;
    }
    try {
      jdbc.close();
    } finally {
      pool.close();
    }
  }
}
