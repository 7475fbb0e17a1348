package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.redis.RedisServer;
import dev.portcullis.testing.TestBrowser;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two deployments of one WAR (two Jetty servers, as two nodes behind a load balancer) with the same key ring and
 * {@code portcullis.redis.uri} on one real redis-server: a login on one is a login on the other, and a logout on
 * either ends it on both; with single sign-on, an account linked on one logs in through the provider on the other. Skipped, saying why, where redis-server is not installed.
 */
class RedisSharedLoginDeploymentTest {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");
  private static RedisServer redis;

  @TempDir
  Path dir;

  @BeforeAll
  static void startRedis() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  private Map<String, String> onRedis(String keyPrefix) throws Exception {
    return WarNode.environment(
        dir,
        Map.of(
            "PORTCULLIS_REDIS_URI",
            redis.uri(),
            "PORTCULLIS_REDIS_KEY_PREFIX",
            keyPrefix,
            // Patient: a loaded build machine can hold a command past the production default.
            "PORTCULLIS_REDIS_COMMAND_TIMEOUT",
            "10s"));
  }

  @Test
  void loginOnOneNode_isALoginOnTheOther_andLogoutOnTheOther_endsItOnBoth() throws Exception {
    String prefix = "war-" + UUID.randomUUID() + ":";
    try (WarNode nodeA = WarNode.start(onRedis(prefix));
        WarNode nodeB = WarNode.start(onRedis(prefix))) {
      WarNode.assertLoginAndLogoutShared(nodeA, nodeB);
    }
  }

  @Test
  void accountLinkedOnOneNode_logsInThroughTheProviderOnTheOther() throws Exception {
    Map<String, String> onRedis = onRedis("war-sso-" + UUID.randomUUID() + ":");
    try (WarSso sso = new WarSso();
        WarNode nodeA = sso.start(dir, onRedis, Map.of());
        WarNode nodeB = sso.start(dir, onRedis, Map.of())) {
      sso.assertLinkThenSsoLogin(nodeA, nodeB, "sub-alice-redis");
    }
  }

  @Test
  void undeployingTheApplication_closesItsRedisConnection() throws Exception {
    RedisClient inspector = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = inspector.connect()) {
      try (WarNode node = WarNode.start(onRedis("war-" + UUID.randomUUID() + ":"))) {
        assertThat(clients(connection)).as("the inspector and the application").isGreaterThan(1);
        node.undeploy();
        assertThat(clientsOnceSettled(connection))
            .as("Redis still runs; only the inspector is connected")
            .isEqualTo(1);
      }
    } finally {
      inspector.shutdown();
    }
  }

  private static long clients(StatefulRedisConnection<String, String> connection) {
    return connection
        .sync()
        .clientList()
        .lines()
        .filter(line -> !line.isBlank())
        .count();
  }

  /** The number of clients once Redis has handled the closed connections (a closed socket is seen a moment later). */
  private static long clientsOnceSettled(StatefulRedisConnection<String, String> connection)
      throws InterruptedException {
    long clients = clients(connection);
    for (int i = 0; i < 100 && clients > 1; i++) {
      Thread.sleep(100);
      clients = clients(connection);
    }
    return clients;
  }

  @Test
  void loginLimitSetInTheEnvironment_isOneLimitForBothNodes() throws Exception {
    Map<String, String> settings = new HashMap<>(onRedis("war-" + UUID.randomUUID() + ":"));
    settings.put("PORTCULLIS_LOGIN_LIMIT_MAX_FAILURES_PER_ACCOUNT", "2");
    try (WarNode nodeA = WarNode.start(settings);
        WarNode nodeB = WarNode.start(settings)) {
      for (WarNode node : new WarNode[] {nodeA, nodeB}) {
        TestBrowser guesser = new TestBrowser(node.base());
        String csrf = TestBrowser.csrfToken(CSRF, guesser.get("/login").body()).orElseThrow();
        guesser.post(
            "/login",
            Map.of("username", "alice", "password", "guess", "acceptTerms", "yes", "_csrf", csrf));
      }
      TestBrowser alice = new TestBrowser(nodeA.base());
      assertThat(WarNode.logIn(alice).headers().firstValue("Location"))
          .as("one wrong password on each node spent the account's budget of two in Redis")
          .hasValueSatisfying(location -> assertThat(location).contains("/login?error"));
      assertThat(WarNode.whoami(alice)).isEqualTo("anonymous");
    }
  }

  @Test
  void maxPendingCommandsFromTheSettingsFile_isAccepted_andOutOfRange_failsTheDeployment()
      throws Exception {
    Path file = dir.resolve("portcullis.properties");
    Files.writeString(file, "portcullis.redis.max-pending-commands=8\n");
    Map<String, String> settings = new HashMap<>(onRedis("war-" + UUID.randomUUID() + ":"));
    settings.put("PORTCULLIS_CONFIG", file.toString());
    try (WarNode node = WarNode.start(settings)) {
      TestBrowser alice = new TestBrowser(node.base());
      assertThat(WarNode.logIn(alice).headers().firstValue("Location")).hasValue("/");
      assertThat(WarNode.whoami(alice))
          .as("eight pending commands are enough for one request's store calls")
          .isEqualTo("u-alice");
    }
    for (String pending : new String[] {"1", "0", "65537", "-1"}) {
      Map<String, String> refused = new HashMap<>(onRedis("unused:"));
      refused.put("PORTCULLIS_REDIS_MAX_PENDING_COMMANDS", pending);
      Throwable failure = catchThrowable(() -> WarNode.start(refused));
      assertThat(failure)
          .as(pending)
          .hasMessageContaining("(1 mistake)")
          .hasMessageContaining("portcullis.redis.max-pending-commands (environment variable"
              + " PORTCULLIS_REDIS_MAX_PENDING_COMMANDS) is not valid: expected a whole number from 2"
              + " to 65536")
          .hasMessageNotContaining(redis.uri());
    }
  }

  @Test
  void redisSettingWithoutTheRedisModule_failsTheDeployment_namingTheArtifact() throws Exception {
    ClassLoader withoutRedis = new ClassLoader(getClass().getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("dev.portcullis.redis.")) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }
    };

    Throwable failure = catchThrowable(() -> WarNode.start(onRedis("unused:"), withoutRedis));

    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining("portcullis.redis.")
        .hasMessageContaining("dev.portcullis:portcullis-redis is not on the class path")
        .hasMessageNotContaining(redis.uri());
  }

  @Test
  void nodesWithoutRedis_doNotShareALogin() throws Exception {
    try (WarNode nodeA = WarNode.start(WarNode.environment(dir, Map.of()));
        WarNode nodeB = WarNode.start(WarNode.environment(dir, Map.of()))) {
      TestBrowser onA = new TestBrowser(nodeA.base());
      WarNode.logIn(onA);
      assertThat(WarNode.whoami(onA)).isEqualTo("u-alice");
      assertThat(WarNode.whoami(onA.on(nodeB.base()))).isEqualTo("anonymous");
    }
  }
}
