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
    assertThat(PortcullisStores.loginHashKey(TestKeyRings.current()))
        .isEqualTo(PortcullisStores.loginHashKey(TestKeyRings.current()));
    assertThat(PortcullisStores.loginHashKey(TestKeyRings.current()))
        .isNotEqualTo(PortcullisStores.loginHashKey(TestKeyRings.beforeRotation()));
  }
}
