package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.jdbc.PostgresServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two deployments of one WAR (two Jetty servers) with the same key ring, {@code portcullis.jdbc.enabled=true} and
 * each a pool on one real PostgreSQL, put in the context by the application: a login on one is a login on the other,
 * and a logout on either ends it on both; with single sign-on, an account linked on one logs in through the provider
 * on the other. The database tests are skipped, saying why, where PostgreSQL is not
 * installed.
 */
class PostgresSharedLoginDeploymentTest {
  private static PostgresServer postgres;

  @TempDir
  Path dir;

  @BeforeAll
  static void startPostgres() throws Exception {
    if (PostgresServer.binaries().isPresent()) {
      postgres = PostgresServer.create();
    }
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  private WarNode start(Map<String, String> settings, Map<String, Object> attributes)
      throws Exception {
    return WarNode.start(WarNode.environment(dir, settings), null, attributes);
  }

  private static final Map<String, String> JDBC = Map.of(
      "PORTCULLIS_JDBC_ENABLED", "true",
      "PORTCULLIS_JDBC_APPLY_SCHEMA", "true",
      // Patient: a loaded build machine can hold a statement past the production default.
      "PORTCULLIS_JDBC_QUERY_TIMEOUT", "10s");

  @Test
  void loginOnOneNode_isALoginOnTheOther_andLogoutOnTheOther_endsItOnBoth() throws Exception {
    assumeTrue(postgres != null, PostgresServer.MISSING);
    try (HikariDataSource poolA = postgres.freshDataSource();
        HikariDataSource poolB = new HikariDataSource(poolA);
        WarNode nodeA = start(JDBC, Map.of(PortcullisInitializer.DATA_SOURCE_ATTRIBUTE, poolA));
        WarNode nodeB = start(JDBC, Map.of(PortcullisInitializer.DATA_SOURCE_ATTRIBUTE, poolB))) {
      WarNode.assertLoginAndLogoutShared(nodeA, nodeB);
    }
  }

  @Test
  void accountLinkedOnOneNode_logsInThroughTheProviderOnTheOther() throws Exception {
    assumeTrue(postgres != null, PostgresServer.MISSING);
    try (WarSso sso = new WarSso();
        HikariDataSource poolA = postgres.freshDataSource();
        HikariDataSource poolB = new HikariDataSource(poolA);
        WarNode nodeA =
            sso.start(dir, JDBC, Map.of(PortcullisInitializer.DATA_SOURCE_ATTRIBUTE, poolA));
        WarNode nodeB =
            sso.start(dir, JDBC, Map.of(PortcullisInitializer.DATA_SOURCE_ATTRIBUTE, poolB))) {
      sso.assertLinkThenSsoLogin(nodeA, nodeB, "sub-alice-postgres");
    }
  }

  @Test
  void jdbcEnabledWithoutADataSource_failsTheDeployment_sayingWhereToPutIt() throws Exception {
    Throwable failure = catchThrowable(() -> start(JDBC, Map.of()));

    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining("portcullis.jdbc.enabled is true, but the context attribute "
            + PortcullisInitializer.DATA_SOURCE_ATTRIBUTE + " holds nothing");
  }

  @Test
  void jdbcAndRedisTogether_failTheDeployment_namingBoth() throws Exception {
    Map<String, String> both =
        Map.of("PORTCULLIS_JDBC_ENABLED", "true", "PORTCULLIS_REDIS_URI", "redis://127.0.0.1:1");

    Throwable failure = catchThrowable(() -> start(both, Map.of()));

    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining("both portcullis.jdbc.enabled=true (environment variable"
            + " PORTCULLIS_JDBC_ENABLED) and portcullis.redis.uri (environment variable"
            + " PORTCULLIS_REDIS_URI) are set")
        .hasMessageNotContaining("127.0.0.1:1");
  }
}
