package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.jdbc.PostgresServer;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.TestKeyRings;
import java.io.IOException;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code portcullis.jdbc.enabled=true} switches every store and the login limit to PostgreSQL through the
 * application's {@code DataSource}; with Redis set as well, without a {@code DataSource}, or without the module, the
 * application does not start and says why. The tests that reach a database run a PostgreSQL of their own (the jdbc
 * module's test server) and are skipped, saying so, where none is installed.
 */
class JdbcStoresAutoConfigurationTest {
  private static PostgresServer server;
  private static HikariDataSource pool;

  @TempDir
  Path dir;

  @BeforeAll
  static void startPostgres() throws Exception {
    if (PostgresServer.binaries().isPresent()) {
      server = PostgresServer.create();
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(server.jdbcUrl("postgres"));
      config.setUsername(PostgresServer.USER);
      config.setMaximumPoolSize(4);
      config.setConnectionTimeout(1_000);
      pool = new HikariDataSource(config);
    }
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pool != null) {
      pool.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private WebApplicationContextRunner runner() throws IOException {
    return SharedStoresFixture.runner(dir);
  }

  private static DataSource database() {
    Assumptions.assumeTrue(server != null, PostgresServer.MISSING);
    return pool;
  }

  @Test
  void jdbcEnabled_putsEveryStoreAndTheLoginLimitInPostgres() throws Exception {
    DataSource dataSource = database();
    runner()
        .withBean(DataSource.class, () -> dataSource)
        .withPropertyValues(
            "portcullis.jdbc.enabled=true",
            "portcullis.jdbc.apply-schema=true",
            "portcullis.jdbc.query-timeout=2s")
        .withPropertyValues(SharedStoresFixture.SSO)
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(JdbcStores.class);
          SharedStoresFixture.assertEveryStoreFrom(context, "Jdbc");
          assertThat(context).hasSingleBean(LoginThrottle.class);
          assertThat(context.getBean(PortalLogin.class)).isNotNull();
        });
  }

  @Test
  void jdbcAndRedisBothSet_failStartUp_sayingToChooseOne() throws Exception {
    runner()
        .withBean(DataSource.class, () -> new HikariDataSource())
        .withPropertyValues(
            "portcullis.jdbc.enabled=true", "portcullis.redis.uri=redis://:hunter2@127.0.0.1:1")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription())
              .contains("portcullis.jdbc.enabled")
              .contains("portcullis.redis.uri")
              .doesNotContain("hunter2");
          assertThat(analysis.getAction()).contains("portcullis.jdbc.enabled=false");
        });
  }

  @Test
  void jdbcEnabledWithoutADataSource_failsStartUp() throws Exception {
    runner().withPropertyValues("portcullis.jdbc.enabled=true").run(context -> {
      assertThat(context).hasFailed();
      var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
      assertThat(analysis.getDescription()).contains("no single DataSource");
      assertThat(analysis.getAction()).contains("DataSource");
    });
  }

  @Test
  void jdbcEnabledWithoutTheModule_failsStartUp_ratherThanKeepingTheStoresInMemory()
      throws Exception {
    runner()
        .withClassLoader(new FilteredClassLoader(JdbcStores.class))
        .withPropertyValues("portcullis.jdbc.enabled=true")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription()).contains("portcullis-jdbc");
        });
  }

  @Test
  void badTimeout_failsStartUp_namingTheProperty() throws Exception {
    DataSource dataSource = database();
    runner()
        .withBean(DataSource.class, () -> dataSource)
        .withPropertyValues("portcullis.jdbc.enabled=true", "portcullis.jdbc.query-timeout=5m")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription()).contains("portcullis.jdbc");
          assertThat(analysis.getAction()).contains("query-timeout");
        });
  }

  @Test
  void jdbcNotEnabled_leavesTheStoresInMemory_evenWithADataSource() throws Exception {
    runner().withBean(DataSource.class, () -> new HikariDataSource()).run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(JdbcStores.class);
      assertThat(context.getBean(SessionStore.class)).isInstanceOf(CaffeineSessionStore.class);
      assertThat(context).doesNotHaveBean(LoginThrottle.class);
    });
  }

  @Test
  void loginHashKey_isTheSameForTheSameRing_andDiffersForAnother() {
    assertThat(LoginThrottle.hashKeyOf(TestKeyRings.current()))
        .isEqualTo(LoginThrottle.hashKeyOf(TestKeyRings.current()));
    assertThat(LoginThrottle.hashKeyOf(TestKeyRings.current()))
        .isNotEqualTo(LoginThrottle.hashKeyOf(TestKeyRings.beforeRotation()));
  }

  /**
   * Regression: the login limit's hash key was derived from the active key once, at start-up, so that after a reload
   * promoted a new key a node started before the promotion and one started after kept separate budgets for the same
   * account in the shared store.
   */
  @Test
  void loginLimit_followsAPromotedKey_soNodesStartedBeforeAndAfterShareOneBudget()
      throws Exception {
    database();
    java.security.SecureRandom random = new java.security.SecureRandom();
    dev.portcullis.crypto.KeyRing first = dev.portcullis.crypto.KeyRing.builder()
        .add(
            1,
            dev.portcullis.crypto.KeyStatus.ACTIVE,
            TestKeys.CREATED,
            dev.portcullis.crypto.KeyMaterial.generate(random))
        .build();
    Path file = dir.resolve("rotating-keys.txt");
    dev.portcullis.crypto.KeyRingSources.createFile(first, file);
    // Each node has a pool of its own (a context closes its DataSource when it stops).
    WebApplicationContextRunner node = runner()
        .withBean(DataSource.class, JdbcStoresAutoConfigurationTest::newPool)
        .withPropertyValues(
            "portcullis.keys.file=" + file,
            "portcullis.keys.reload-interval=100ms",
            "portcullis.jdbc.enabled=true",
            "portcullis.jdbc.apply-schema=true");
    node.run(before -> {
      assertThat(before).hasNotFailed();
      // Add a key, then promote it, as a rotation does; the running node reloads the file.
      dev.portcullis.crypto.KeyRing promoted = dev.portcullis.crypto.KeyRing.builder()
          .add(
              1,
              dev.portcullis.crypto.KeyStatus.DECRYPT_ONLY,
              TestKeys.CREATED,
              first.material(1, dev.portcullis.crypto.SecretAccess.insecure()))
          .add(
              2,
              dev.portcullis.crypto.KeyStatus.ACTIVE,
              TestKeys.CREATED,
              dev.portcullis.crypto.KeyMaterial.generate(random))
          .build();
      dev.portcullis.crypto.KeyRingSources.writeFile(promoted, file);
      dev.portcullis.crypto.KeyRingSource keys =
          before.getBean(dev.portcullis.crypto.KeyRingSource.class);
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
      while (keys.current().activeKey().id() != 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(keys.current().activeKey().id()).as("the promotion was loaded").isEqualTo(2);

      // The schema is there already: the second node only uses it.
      node.withPropertyValues("portcullis.jdbc.apply-schema=false").run(after -> {
        assertThat(after).hasNotFailed();
        DataSource dataSource = after.getBean(DataSource.class);
        long budgetsBefore = budgets(dataSource);
        wrongPassword(before.getBean(PortalLogin.class));
        wrongPassword(after.getBean(PortalLogin.class));
        assertThat(budgets(dataSource) - budgetsBefore)
            .as("one account budget and one address budget, shared by both nodes")
            .isEqualTo(2);
      });
    });
  }

  private static HikariDataSource newPool() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.jdbcUrl("postgres"));
    config.setUsername(PostgresServer.USER);
    config.setMaximumPoolSize(2);
    config.setConnectionTimeout(5_000);
    return new HikariDataSource(config);
  }

  private static void wrongPassword(PortalLogin login) {
    dev.portcullis.login.LoginSession noSession = new dev.portcullis.login.LoginSession() {
      @Override
      public String rotateTo(String userHandle) {
        throw new AssertionError("a refused login rotates no session");
      }

      @Override
      public boolean end() {
        throw new AssertionError("a refused login ends no session");
      }

      @Override
      public void endAllOf(String userHandle) {
        throw new AssertionError("a refused login ends no session");
      }
    };
    assertThat(login.passwordLogin(
            "alice", "not-the-password".toCharArray(), true, "203.0.113.9", noSession))
        .isNotInstanceOf(dev.portcullis.login.LoginDecision.Accepted.class);
  }

  private static long budgets(DataSource dataSource) throws java.sql.SQLException {
    try (java.sql.Connection c = dataSource.getConnection();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM portcullis_login_budget")) {
      r.next();
      return r.getLong(1);
    }
  }
}
