package dev.portcullis.servlet.autoconfig;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.jdbc.PostgresServer;
import dev.portcullis.redis.RedisServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two deployments of one WAR with single sign-on and a shared store: the account linked on one node logs in through
 * the provider on the other, so the links (and the single-use marks) are in Redis, or in PostgreSQL, not in a node's
 * memory. Each store's test is skipped, saying why, where its server is not installed.
 */
class SsoSharedLinksDeploymentTest {
  private static WarSso sso;
  private static RedisServer redis;
  private static PostgresServer postgres;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    sso = new WarSso();
    if (RedisServer.binary().isPresent()) {
      redis = RedisServer.start();
    }
    if (PostgresServer.binaries().isPresent()) {
      postgres = PostgresServer.create();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try (AutoCloseable r = redis;
        AutoCloseable p = postgres) {
      sso.close();
    }
  }

  @Test
  void accountLinkedOnOneNode_logsInThroughTheProviderOnTheOther_withRedis() throws Exception {
    assumeTrue(redis != null, RedisServer.MISSING);
    Map<String, String> onRedis = Map.of(
        "PORTCULLIS_REDIS_URI",
        redis.uri(),
        "PORTCULLIS_REDIS_KEY_PREFIX",
        "war-sso-" + UUID.randomUUID() + ":",
        "PORTCULLIS_REDIS_COMMAND_TIMEOUT",
        "10s");
    try (WarNode nodeA = sso.start(dir, onRedis, Map.of());
        WarNode nodeB = sso.start(dir, onRedis, Map.of())) {
      sso.assertLinkThenSsoLogin(nodeA, nodeB, "sub-alice-redis");
    }
  }

  @Test
  void accountLinkedOnOneNode_logsInThroughTheProviderOnTheOther_withPostgres() throws Exception {
    assumeTrue(postgres != null, PostgresServer.MISSING);
    Map<String, String> onPostgres = Map.of(
        "PORTCULLIS_JDBC_ENABLED", "true",
        "PORTCULLIS_JDBC_APPLY_SCHEMA", "true",
        "PORTCULLIS_JDBC_QUERY_TIMEOUT", "10s");
    try (HikariDataSource poolA = postgres.freshDataSource();
        HikariDataSource poolB = new HikariDataSource(poolA);
        WarNode nodeA =
            sso.start(dir, onPostgres, Map.of(PortcullisInitializer.DATA_SOURCE_ATTRIBUTE, poolA));
        WarNode nodeB = sso.start(
            dir, onPostgres, Map.of(PortcullisInitializer.DATA_SOURCE_ATTRIBUTE, poolB))) {
      sso.assertLinkThenSsoLogin(nodeA, nodeB, "sub-alice-postgres");
    }
  }
}
