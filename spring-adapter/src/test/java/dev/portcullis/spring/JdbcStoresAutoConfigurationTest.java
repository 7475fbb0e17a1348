package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.jdbc.PostgresServer;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.TestKeyRings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
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
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class))
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir),
            "portcullis.transport.canonical-host=portal.example");
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
            "portcullis.jdbc.query-timeout=2s",
            "portcullis.sso.enabled=true",
            "portcullis.sso.issuer=https://login.example",
            "portcullis.sso.client-id=portal",
            "portcullis.sso.client-secret=secret-value",
            "portcullis.sso.redirect-uri=https://portal.example/sso/callback")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(JdbcStores.class);
          for (Class<?> store : new Class<?>[] {
            SessionStore.class, RevocationStore.class, ReplayStore.class, AccountLinkStore.class
          }) {
            assertThat(context.getBean(store).getClass().getSimpleName())
                .as(store.getSimpleName())
                .startsWith("Jdbc");
          }
          assertThat(context).hasSingleBean(LoginThrottle.class);
          assertThat(context.getBean(PortalLogin.class)).isNotNull();
          RevocationStore revocations = context.getBean(RevocationStore.class);
          revocations.revoke(
              "00112233445566778899aabbccddeeff", Instant.parse("2100-01-01T00:00:00Z"));
          assertThat(
                  revocations.isRevoked("00112233445566778899aabbccddeeff", "u-1", Instant.EPOCH))
              .isTrue();
          SsoConfig sso = context.getBean(SsoConfig.class);
          assertThat(sso.links()).isSameAs(context.getBean(AccountLinkStore.class));
          assertThat(sso.replay()).isSameAs(context.getBean(ReplayStore.class));
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
