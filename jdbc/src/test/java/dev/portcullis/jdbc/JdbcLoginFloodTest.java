package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.user.PasswordHasher;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Regression, weakness "a login flood can take the pooled connections": anonymous logins with wrong passwords and
 * unknown names, many at once, through the real filter on Jetty, with every store and the users in PostgreSQL behind
 * a HikariCP pool of {@value #POOL_SIZE} (1 s to get a connection) and Argon2id at the standard cost. The password
 * checks ran as many at once as there were requests, on two cores, and {@link JdbcUserDirectory} held its connection
 * through each: the pool was taken by logins that were waiting for a core, and a logged-in user's requests waited for
 * it until they were anonymous. Now at most so many logins are checked at once (the rest are refused at once as
 * {@code authn_login_busy}, reason {@code BUSY}), and no connection is held while a password is checked.
 */
@ExtendWith(SharedPostgres.class)
class JdbcLoginFloodTest {
  private static final int POOL_SIZE = 2;
  private static final int ATTACKERS = 40;
  /**
   * How long alice keeps reading pages while the flood runs. Without the bound on checks at once, the pool was taken
   * within the flood's first second and her very next page waited past {@link #BOUND}; a page is timed to its end
   * even when the flood's time is up while it waits, so a few seconds catch that as surely as more would.
   */
  private static final Duration FLOOD = Duration.ofSeconds(4);
  /** What a logged-in user's page may take during the flood. */
  private static final Duration BOUND = Duration.ofSeconds(2);
  /** A login of the flood that got no HTTP answer. */
  private static final String NO_ANSWER = "no answer";

  private static final UserTables FLOOD_USERS = new UserTables("flood_users", "flood_roles");

  private static final String USER_COLUMNS = "SELECT handle, password, '' AS password_salt,"
      + " 0 AS password_format, true AS approved, false AS locked_out, email, display_name,"
      + " organisation, accepted_terms FROM flood_users";

  private final SecureRandom random = new SecureRandom();
  private final PasswordHasher hasher = PasswordHasher.standard(random);
  private final RecordingAuditSink audited = new RecordingAuditSink();
  private final HoldRecorder holds = new HoldRecorder();
  private final HikariDataSource pool;
  private final JdbcStores stores;
  private final AuditLog audit;
  private final PortalNode node;

  JdbcLoginFloodTest(PostgresServer server) throws Exception {
    String url;
    try (HikariDataSource setup = server.freshDataSource();
        Connection c = setup.getConnection();
        Statement s = c.createStatement()) {
      url = setup.getJdbcUrl();
      s.execute("CREATE TABLE flood_users (name text PRIMARY KEY, handle text NOT NULL,"
          + " password text NOT NULL, email text, display_name text, organisation text,"
          + " accepted_terms text)");
      s.execute("CREATE TABLE flood_roles (handle text NOT NULL, role text NOT NULL)");
      FLOOD_USERS.add(c, hasher, "alice", "alice-pw");
      FLOOD_USERS.add(c, hasher, "bob", "bob-pw");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(PostgresServer.USER);
    config.setMaximumPoolSize(POOL_SIZE);
    config.setConnectionTimeout(1_000);
    config.setValidationTimeout(500);
    config.addDataSourceProperty("cancelSignalTimeout", "1");
    pool = new HikariDataSource(config);
    InstantSource clock = InstantSource.system();
    stores = JdbcStores.builder(pool, clock).build();
    JdbcUserDirectory users = JdbcUserDirectory.builder(holds.over(pool), hasher)
        .userByName(USER_COLUMNS + " WHERE name = ?")
        .userByHandle(USER_COLUMNS + " WHERE handle = ?")
        .rolesByHandle("SELECT role FROM flood_roles WHERE handle = ?")
        .queryTimeout(Duration.ofSeconds(1))
        .build();
    audit = AuditLog.builder().clock(clock).random(random).auditSink(audited).build();
    node = JdbcPortalNode.throttled(stores, clock, random, audit, limit -> limit)
        .users(users)
        .access(
            AccessPolicy.builder()
                .permitAll("/login", "/terms")
                .authenticated("/**")
                .build(),
            "/login")
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      node.close();
    } finally {
      audit.close();
      stores.close();
      pool.close();
    }
  }

  @Test
  void aFloodOfBadLogins_keepsALoggedInUsersPagesServed_andIsRefusedAsBusy() throws Exception {
    TestBrowser alice = node.browser();
    PortalNode.login(alice, "alice", "alice-pw");
    assertThat(PortalNode.whoami(alice)).isEqualTo("u-alice");

    TestBrowser attacker = node.browser();
    String token = PortalNode.csrfOf(attacker.get("/login").body());
    String cookie = attacker.cookieHeader();
    HttpClient client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger sent = new AtomicInteger();
    Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    ExecutorService attackers = Executors.newFixedThreadPool(ATTACKERS);
    List<Future<?>> running = new ArrayList<>();
    List<String> late = new ArrayList<>();
    long slowest = 0;
    int pages = 0;
    try {
      for (int i = 0; i < ATTACKERS; i++) {
        running.add(attackers.submit(() -> {
          while (!stop.get()) {
            int n = sent.incrementAndGet();
            // Wrong passwords for real accounts, and names nobody has.
            String user = n % 3 == 0 ? "alice" : n % 3 == 1 ? "bob" : "nobody-" + n;
            String answer;
            try {
              HttpResponse<String> r = client.send(
                  HttpRequest.newBuilder(attacker.uri("/login"))
                      .header("Cookie", cookie)
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .timeout(Duration.ofSeconds(60))
                      .POST(HttpRequest.BodyPublishers.ofString(TestBrowser.form(
                          Map.of("username", user, "password", "guess-" + n, "_csrf", token))))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
              answer = r.statusCode() + " " + r.headers().firstValue("Location").orElse("");
            } catch (IOException e) {
              // No answer at all (on a loaded machine the JDK client has reported "connection
              // closed locally"): it tells nothing of any account.
              answer = NO_ANSWER;
            }
            answers.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
          }
          return null;
        }));
      }
      long end = System.nanoTime() + FLOOD.toNanos();
      while (System.nanoTime() < end) {
        long start = System.nanoTime();
        HttpResponse<String> page = alice.get("/whoami");
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        slowest = Math.max(slowest, took);
        pages++;
        if (page.statusCode() != 200
            || !page.body().startsWith("u-alice ")
            || took > BOUND.toMillis()) {
          late.add("page " + pages + ": " + page.statusCode() + " "
              + page.headers().firstValue("Location").orElse(page.body().split(" ")[0]) + " in "
              + took + " ms");
        }
        Thread.sleep(100);
      }
    } finally {
      stop.set(true);
      attackers.shutdown();
    }
    for (Future<?> f : running) {
      f.get(2, TimeUnit.MINUTES);
    }
    System.out.printf(
        "login flood: %d at once, %d logins sent %s; alice's %d pages, slowest %d ms%n",
        ATTACKERS, sent.get(), answers, pages, slowest);

    assertThat(late)
        .as("a logged-in user's pages during the flood: each within %s, as alice", BOUND)
        .isEmpty();
    // Past 16 form bodies read at once from one address (FormBodyReads), a login is a plain 503
    // before its body is read: the same for every account, so it tells nothing of one.
    assertThat(answers.keySet())
        .as("every login refused as any wrong password is, or unread past the address's share")
        .contains("303 /login?error=1")
        .isSubsetOf("303 /login?error=1", "503 ", NO_ANSWER);
    assertThat(audit.flush(Duration.ofSeconds(30))).isTrue();
    if (answers.containsKey("503 ")) {
      assertThat(audited.events())
          .as(
              "a 503 only as the share of form bodies being read at once (the address's or the anonymous forms'), audited")
          .anyMatch(e -> e.type().equals(AuditEventType.ACCESS_DENIED)
              && e.reason().orElse("").startsWith("form body not read: too many"));
    }
    assertThat(audited.events())
        .as("the logins past the limit were refused without a check, and audited")
        .anyMatch(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_BUSY)
            && e.reason().orElse("").equals("BUSY")
            && e.outcome() == AuditEvent.Outcome.FAILURE);
  }

  /**
   * A password check costs the processor far more than the statements around it; a connection held across one is
   * held for that long. The processor time the borrowing thread spends while it holds each connection the directory
   * borrows tells whether the check ran inside: it did for every login before (at least one whole check).
   */
  @Test
  void logins_holdNoPooledConnectionWhileThePasswordIsChecked() throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(threads.isCurrentThreadCpuTimeSupported(), "no thread CPU time");
    // Warm the code paths first (statements and hashing); their first runs are interpreted.
    for (int i = 0; i < 3; i++) {
      loginsOfEveryKind(i);
    }
    holds.reset();
    long check = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long start = threads.getCurrentThreadCpuTime();
      hasher.verifyDummy("warm".toCharArray());
      check = Math.min(check, threads.getCurrentThreadCpuTime() - start);
    }

    for (int i = 3; i < 6; i++) {
      loginsOfEveryKind(i);
    }

    System.out.printf(
        "one password check: %d ms of processor; most spent holding a connection: %d ms over %d"
            + " borrowings%n",
        check / 1_000_000, holds.most() / 1_000_000, holds.count());
    assertThat(holds.count()).as("the directory's borrowings").isGreaterThanOrEqualTo(9);
    assertThat(holds.most())
        .as(
            "processor time spent holding one connection, against one password check's %d ns",
            check)
        .isLessThan(check / 4);
  }

  /** A wrong password, an unknown name and a right password, each in a browser of its own. */
  private void loginsOfEveryKind(int round) throws Exception {
    HttpResponse<String> wrong = PortalNode.postLogin(node.browser(), "bob", "guess-" + round);
    assertThat(wrong.headers().firstValue("Location")).hasValue("/login?error=1");
    HttpResponse<String> unknown = PortalNode.postLogin(node.browser(), "nobody-" + round, "x");
    assertThat(unknown.headers().firstValue("Location")).hasValue("/login?error=1");
    PortalNode.login(node.browser(), "alice", "alice-pw");
  }

  /**
   * Wraps a data source to record, for each connection it lends, the processor time the borrowing thread spends until
   * it closes the connection.
   */
  private static final class HoldRecorder {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final AtomicLong most = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();

    DataSource over(DataSource dataSource) {
      return proxy(DataSource.class, (method, args) -> {
        Object result = invoke(dataSource, method, args);
        if (!(result instanceof Connection connection)) {
          return result;
        }
        long borrowed = threads.getCurrentThreadCpuTime();
        AtomicBoolean closed = new AtomicBoolean();
        return proxy(Connection.class, (m, a) -> {
          if (m.getName().equals("close") && closed.compareAndSet(false, true)) {
            most.accumulateAndGet(threads.getCurrentThreadCpuTime() - borrowed, Math::max);
            count.incrementAndGet();
          }
          return invoke(connection, m, a);
        });
      });
    }

    long most() {
      return most.get();
    }

    int count() {
      return count.get();
    }

    void reset() {
      most.set(0);
      count.set(0);
    }
  }

  @FunctionalInterface
  private interface Handler {
    Object handle(Method method, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, Handler handler) {
    return type.cast(Proxy.newProxyInstance(
        JdbcLoginFloodTest.class.getClassLoader(),
        new Class<?>[] {type},
        (p, method, args) -> handler.handle(method, args)));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
