package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Database faults through the real filter on Jetty, with a HikariCP pool as a portal would configure it (1 s to get a
 * connection) and the stores' default timeouts (1 s per statement, 2 s for any answer): while a logged-in user's
 * requests cannot reach the database they are anonymous (sent to the login page, never a server error), none waits
 * past the timeouts, and the browser keeps its cookies, which work again once the database answers. On a server of
 * the class's own, since it freezes and stops it; each test gets it running and a schema of its own.
 *
 * <p>Each test prints how long the slowest request took and how soon service came back: run {@code ./mvnw -pl jdbc
 * -am verify -Dtest=JdbcFaultsOverHttpTest -Dsurefire.failIfNoSpecifiedTests=false} and read
 * {@code jdbc/target/surefire-reports/dev.portcullis.jdbc.JdbcFaultsOverHttpTest-output.txt}.
 */
@EnabledIf(value = "postgresInstalled", disabledReason = PostgresServer.MISSING)
class JdbcFaultsOverHttpTest {
  /** Far above the timeouts: a guard against hanging, not a speed measurement. */
  private static final Duration HANG = Duration.ofSeconds(20);

  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);
  private static final int POOL_SIZE = 2;
  /** The advisory lock the slow queries wait for. */
  private static final long POOL_LOCK = 4711;

  private final SecureRandom random = new SecureRandom();
  private static PostgresServer server;
  private HikariDataSource pool;
  private JdbcStores stores;
  private PortalNode node;
  private final RecordingAuditSink audited = new RecordingAuditSink();
  private AuditLog audit;

  static boolean postgresInstalled() {
    return PostgresServer.binaries().isPresent();
  }

  @BeforeAll
  static void startDatabase() throws Exception {
    server = PostgresServer.create();
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    // An earlier test may have left the server stopped.
    if (!server.running()) {
      server.start();
    }
    try (HikariDataSource setup = server.freshDataSource()) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(setup.getJdbcUrl());
      config.setUsername(PostgresServer.USER);
      config.setMaximumPoolSize(POOL_SIZE);
      config.setMinimumIdle(0);
      config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
      config.setValidationTimeout(CONNECTION_TIMEOUT.toMillis() / 2);
      config.setInitializationFailTimeout(-1);
      // PostgreSQL's driver waits this long (10 s by default) for the cancel of a timed-out
      // statement, on the request's thread.
      config.addDataSourceProperty("cancelSignalTimeout", "1");
      pool = new HikariDataSource(config);
    }
    InstantSource clock = InstantSource.system();
    stores = JdbcStores.builder(pool, clock).build();
    audit = AuditLog.builder().clock(clock).random(random).auditSink(audited).build();
    byte[] key = new byte[32];
    random.nextBytes(key);
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
        .build();
    node = PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(ring)
        .users(PortalNode.aliceAndBob())
        .clock(clock)
        .random(random)
        .access(
            AccessPolicy.builder()
                .permitAll("/login", "/terms")
                .authenticated("/**")
                .build(),
            "/login")
        .audit(audit)
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (audit != null) {
      audit.close();
    }
    if (stores != null) {
      stores.close();
    }
    if (pool != null) {
      pool.close();
    }
  }

  @Test
  void poolTakenBySlowQueries_requestsFailClosedWithinTheConnectionTimeout_andRecover()
      throws Exception {
    TestBrowser alice = loggedIn();
    ExecutorService holders = Executors.newFixedThreadPool(POOL_SIZE);
    List<Future<Object>> slow = new ArrayList<>();
    // The slow queries wait for a lock this connection, outside the pool, holds: they take the
    // pool for exactly as long as the requests below need it taken, however slow the machine.
    try (Connection lock =
            DriverManager.getConnection(server.jdbcUrl("postgres"), PostgresServer.USER, "");
        Statement locking = lock.createStatement()) {
      locking.execute("SELECT pg_advisory_lock(" + POOL_LOCK + ")");
      for (int i = 0; i < POOL_SIZE; i++) {
        slow.add(holders.submit(() -> {
          try (Connection c = pool.getConnection();
              Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock_shared(" + POOL_LOCK + ")");
          }
          return null;
        }));
      }
      awaitPoolTaken();

      long slowest = failsClosed(alice, 4);
      System.out.printf(
          "pool of %d taken by slow queries: slowest of 4 parallel requests answered (anonymous)"
              + " in %d ms; connection timeout %d ms%n",
          POOL_SIZE, slowest, CONNECTION_TIMEOUT.toMillis());
      assertThat(slow).as("the pool was taken throughout").noneMatch(Future::isDone);

      locking.execute("SELECT pg_advisory_unlock(" + POOL_LOCK + ")");
      for (Future<Object> f : slow) {
        f.get(30, TimeUnit.SECONDS);
      }
      long back = System.nanoTime();
      assertThat(whoami(alice)).as("the same cookies, once the pool is free").isEqualTo("u-alice");
      System.out.printf(
          "pool free: the same cookies served again in %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
    } finally {
      holders.shutdownNow();
    }
  }

  @Test
  void databaseFrozen_requestsFailClosedWithinTheTimeouts_andTheSameCookiesWorkWhenItThaws()
      throws Exception {
    TestBrowser alice = loggedIn();

    server.pause();
    long slowest;
    try {
      slowest = failsClosed(alice, 3);
    } finally {
      server.resume();
    }
    System.out.printf(
        "database frozen (SIGSTOP): slowest of 3 parallel requests answered (anonymous) in %d ms%n",
        slowest);

    long back = System.nanoTime();
    assertTimeoutPreemptively(HANG, () -> {
      while (!whoami(alice).equals("u-alice")) {
        Thread.sleep(50);
      }
    });
    System.out.printf(
        "database thawed: the same cookies served again in %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
  }

  @Test
  void databaseStopped_requestsFailClosed_andTheSameCookiesWorkWhenItIsBack() throws Exception {
    TestBrowser alice = loggedIn();

    server.stop();
    long slowest = failsClosed(alice, 3);
    System.out.printf(
        "database stopped: slowest of 3 parallel requests answered (anonymous) in %d ms%n",
        slowest);

    server.start();
    long back = System.nanoTime();
    assertTimeoutPreemptively(HANG, () -> {
      while (!whoami(alice).equals("u-alice")) {
        Thread.sleep(50);
      }
    });
    System.out.printf(
        "database restarted: the same cookies served again %d ms after it answered%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
  }

  /**
   * A user who logs out while the database is down gets the cookies expired in the browser, so the browser is logged
   * out whatever happens to the database; the session and ticket, which the store cannot reach, are ended once it
   * answers (a pending logout, {@code LogoutDuringStoreOutageTest} in servlet-filter). Before, the
   * logout's CSRF token (kept in that session) could not be checked: the logout was refused with 403 and the browser
   * kept both cookies, which logged it in again as soon as the database answered.
   */
  @Test
  void databaseStopped_logout_expiresTheCookiesInTheBrowser_andIsAudited() throws Exception {
    TestBrowser alice = loggedIn();
    String token = PortalNode.csrf(alice);

    server.stop();
    HttpResponse<String> out = alice.post("/logout", Map.of("_csrf", token));

    assertThat(out.statusCode()).as("logout during the outage: " + out.body()).isEqualTo(303);
    assertThat(out.headers().firstValue("Location")).hasValue("/login");
    assertThat(out.headers().allValues("Set-Cookie"))
        .anyMatch(c -> c.startsWith("__Host-portcullis-sid=;") && c.contains("Max-Age=0"))
        .anyMatch(c -> c.startsWith("__Host-portcullis-auth=;") && c.contains("Max-Age=0"));
    assertThat(alice.cookies()).isEmpty();
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    AuditEvent logout = audited.assertOnce(AuditEventType.LOGOUT);
    assertThat(logout.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(logout.actor())
        .hasValueSatisfying(a -> assertThat(a.userHandle()).isEqualTo("u-alice"));
    assertThat(logout.reason())
        .hasValueSatisfying(r -> assertThat(r).contains("session store unavailable"));
    audited.assertNone(AuditEventType.CSRF_FAIL);
  }

  /**
   * A password login whose new session the database cannot store is refused as an outage: the plain {@code 503}, no
   * auth cookie, audited as a failed login naming the session store. Before, the session was only written as the
   * response committed, after the login had been decided and recorded: the browser got the auth cookie and a redirect
   * into the portal, the audit log an {@code authn_login_success}, and yet no session existed, so the user was
   * anonymous on the next request. Then it was answered like a wrong password, back to the login page with the error.
   */
  @Test
  void databaseStopped_passwordLogin_isRefused_andNotRecordedAsASuccess() throws Exception {
    TestBrowser browser = node.browser();
    String token = PortalNode.csrfOf(browser.get("/login").body());

    server.stop();
    HttpResponse<String> login =
        browser.post("/login", Map.of("username", "alice", "password", "alice-pw", "_csrf", token));

    assertThat(login.statusCode()).as("not now, rather than a wrong password").isEqualTo(503);
    assertThat(login.body().strip()).isEqualTo("Service unavailable. Please try again later.");
    assertThat(login.headers().firstValue("Location")).isEmpty();
    assertThat(browser.cookies()).doesNotContainKey("__Host-portcullis-auth");
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    audited.assertNone(AuditEventType.AUTHN_LOGIN_SUCCESS);
    AuditEvent refused = audited.assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(refused.actor())
        .hasValueSatisfying(a -> assertThat(a.userHandle()).isEqualTo("u-alice"));
    assertThat(refused.reason())
        .hasValue("login could not start: session store unavailable: StoreUnavailableException");
  }

  /**
   * Sends {@code parallel} requests with the browser's cookies at once: each is sent to the login page, none is a
   * server error, and the browser is told to drop no cookie. Returns the slowest one's time in milliseconds.
   */
  private long failsClosed(TestBrowser browser, int parallel) throws Exception {
    Map<String, String> before = Map.copyOf(browser.cookies());
    ExecutorService clients = Executors.newFixedThreadPool(parallel);
    try {
      List<Callable<Long>> requests = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        requests.add(() -> {
          TestBrowser same = node.browser(before);
          long start = System.nanoTime();
          HttpResponse<String> r = same.get("/whoami");
          long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertThat(r.statusCode()).as("anonymous: sent to log in").isEqualTo(303);
          assertThat(r.headers().firstValue("Location"))
              .hasValueSatisfying(l -> assertThat(l).contains("/login"));
          assertThat(r.headers().allValues("Set-Cookie"))
              .as("an outage logs nobody out")
              .noneMatch(c -> c.contains("Max-Age=0"));
          assertThat(same.cookies()).isEqualTo(before);
          return took;
        });
      }
      long slowest = 0;
      for (Future<Long> f : assertTimeoutPreemptively(HANG, () -> clients.invokeAll(requests))) {
        slowest = Math.max(slowest, f.get());
      }
      return slowest;
    } finally {
      clients.shutdownNow();
    }
  }

  private void awaitPoolTaken() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pool.getHikariPoolMXBean().getActiveConnections() < POOL_SIZE) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the slow queries did not take the pool");
      }
      Thread.sleep(20);
    }
  }

  private TestBrowser loggedIn() throws Exception {
    TestBrowser browser = node.browser();
    HttpResponse<String> r = PortalNode.postLogin(browser, "alice", "alice-pw");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(whoami(browser)).isEqualTo("u-alice");
    return browser;
  }

  private static String whoami(TestBrowser browser) throws Exception {
    HttpResponse<String> r = browser.get("/whoami");
    if (r.statusCode() != 200) {
      return "status " + r.statusCode();
    }
    return r.body().substring(0, r.body().indexOf(' '));
  }
}
