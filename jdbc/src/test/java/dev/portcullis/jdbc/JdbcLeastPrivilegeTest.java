package dev.portcullis.jdbc;

import static dev.portcullis.servlet.testing.PortalNode.csrf;
import static dev.portcullis.servlet.testing.PortalNode.login;
import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL as operators run it: a DBA creates the schema from the SQL shipped in the jar, and the portal connects
 * as a role that may read and write the rows but not create, alter or drop anything. The real filter on Jetty logs in
 * and out through such a role; {@link JdbcSchema#apply} at start-up leaves a schema that is already there alone, and
 * says what the role lacks when the schema is not; nodes applying it at once on an empty schema all start; rows lost
 * from the tables log users out rather than bringing a logged-out cookie back.
 */
@ExtendWith(SharedPostgres.class)
class JdbcLeastPrivilegeTest {
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final PostgresServer server;
  private final String schema = "lp" + NAMES.incrementAndGet();
  private final String role = "portal_app_" + schema;
  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  JdbcLeastPrivilegeTest(PostgresServer server) throws SQLException {
    this.server = server;
    asDba("CREATE SCHEMA " + schema, "CREATE ROLE " + role + " LOGIN");
  }

  @AfterEach
  void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void schemaCreatedByTheDba_applyAsARoleWithoutDdlRights_changesNothingAndStarts()
      throws Exception {
    dbaAppliesTheShippedSchema();
    grantRowRights();
    HikariDataSource app = pool(role);

    JdbcSchema.apply(app);

    PortalNode node = node(app);
    TestBrowser browser = node.browser();
    login(browser, "alice", "alice-pw");
    assertThat(whoami(browser)).isEqualTo("u-alice");
  }

  @Test
  void emptySchema_applyAsARoleWithoutCreate_namesThePrivilegeAndTheScript() throws Exception {
    asDba("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
    HikariDataSource app = pool(role);

    assertThatThrownBy(() -> JdbcSchema.apply(app))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("CREATE")
        .hasMessageContaining(schema)
        .hasMessageContaining("V1__portcullis.sql");
  }

  @Test
  void roleWithoutRowRights_applyFailsAtStartUp_namingTheTableAndTheGrant() throws Exception {
    dbaAppliesTheShippedSchema();
    grantRowRights();
    asDba("REVOKE DELETE ON " + schema + ".portcullis_revoked_ticket FROM " + role);
    HikariDataSource app = pool(role);

    assertThatThrownBy(() -> JdbcSchema.apply(app))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("portcullis_revoked_ticket")
        .hasMessageContaining("DELETE");
  }

  @Test
  void twoNodesApplyingAtOnce_onAnEmptySchema_bothStart() throws Exception {
    asDba("GRANT USAGE, CREATE ON SCHEMA " + schema + " TO " + role);
    for (int round = 0; round < 3; round++) {
      if (round > 0) {
        asDba(
            "DROP SCHEMA " + schema + " CASCADE",
            "CREATE SCHEMA " + schema,
            "GRANT USAGE, CREATE ON SCHEMA " + schema + " TO " + role);
      }
      List<HikariDataSource> nodes = List.of(pool(role), pool(role), pool(role));
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService starting = Executors.newFixedThreadPool(nodes.size());
      try {
        List<Future<?>> started = new ArrayList<>();
        for (HikariDataSource node : nodes) {
          started.add(starting.submit(() -> {
            go.await();
            JdbcSchema.apply(node);
            return null;
          }));
        }
        go.countDown();
        for (Future<?> f : started) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        starting.shutdownNow();
      }
      for (HikariDataSource node : nodes) {
        node.close();
      }
    }
    PortalNode node = node(pool(role));
    TestBrowser browser = node.browser();
    login(browser, "bob", "bob-pw");
    assertThat(whoami(browser)).isEqualTo("u-bob");
  }

  @Test
  void revocationsTruncated_afterLogout_theOldCookiesStayLoggedOut() throws Exception {
    dbaAppliesTheShippedSchema();
    grantRowRights();
    PortalNode node = node(pool(role));
    TestBrowser browser = node.browser();
    login(browser, "alice", "alice-pw");
    Map<String, String> stolen = new LinkedHashMap<>(browser.cookies());
    HttpResponse<String> out = browser.post("/logout", Map.of("_csrf", csrf(browser)));
    assertThat(out.statusCode()).isEqualTo(303);

    asDba(
        "TRUNCATE " + schema + ".portcullis_revoked_ticket, " + schema + ".portcullis_user_cutoff");

    assertThat(whoami(node.browser(stolen)))
        .as("the ticket is bound to a session the logout deleted")
        .isEqualTo("anonymous");
  }

  @Test
  void everyTableTruncatedOrDropped_whileLoggedIn_failsClosed() throws Exception {
    dbaAppliesTheShippedSchema();
    grantRowRights();
    PortalNode node = node(pool(role));
    TestBrowser browser = node.browser();
    login(browser, "alice", "alice-pw");
    Map<String, String> cookies = new LinkedHashMap<>(browser.cookies());

    asDba("TRUNCATE " + schema + ".portcullis_session CASCADE");
    assertThat(whoami(node.browser(cookies))).isEqualTo("anonymous");

    TestBrowser again = node.browser();
    login(again, "alice", "alice-pw");
    Map<String, String> second = new LinkedHashMap<>(again.cookies());
    asDba("DROP TABLE " + schema + ".portcullis_revoked_ticket");
    assertThat(whoami(node.browser(second)))
        .as("a revocation check that cannot be made is no login")
        .isEqualTo("anonymous");
  }

  private void dbaAppliesTheShippedSchema() throws SQLException {
    try (HikariDataSource dba = pool(PostgresServer.USER)) {
      JdbcSchema.apply(dba);
    }
  }

  private void grantRowRights() throws SQLException {
    asDba(
        "GRANT USAGE ON SCHEMA " + schema + " TO " + role,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
  }

  private void asDba(String... statements) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(server.jdbcUrl("postgres"), PostgresServer.USER, "");
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private HikariDataSource pool(String user) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.jdbcUrl("postgres") + "?currentSchema=" + schema);
    config.setUsername(user);
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    config.setPoolName("least-privilege-" + schema + "-" + NAMES.incrementAndGet());
    HikariDataSource pool = new HikariDataSource(config);
    toClose.add(pool);
    return pool;
  }

  private PortalNode node(HikariDataSource pool) throws Exception {
    JdbcStores stores = JdbcStores.builder(pool, clock).build();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    PortalNode node = PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(ring)
        .users(PortalNode.aliceAndBob())
        .clock(clock)
        .random(random)
        .onClose(stores)
        .start();
    toClose.add(node);
    return node;
  }
}
