package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.servlet.testing.KeyRotationDrill;
import dev.portcullis.session.SessionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys rotate without a restart on two nodes that share sessions and revocations in Redis: each node watches the key
 * file through the drill's add, promote and retire, while browsers log in and move between the nodes.
 */
class RedisKeyRotationTest {
  @TempDir
  Path dir;

  private RedisServer redis;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @SuppressForbidden(reason = "Redis TTLs run on Redis's real clock")
  void addPromoteRetire_onTwoNodes_underLoad_logsNobodyOut_andRefusesTheRetiredKeyOnBoth()
      throws Exception {
    InstantSource clock = InstantSource.system();
    KeyRotationDrill.Report report = KeyRotationDrill.run(dir, node -> {
      RedisStores stores = RedisStores.connect(
          RedisStoreConfig.builder()
              .uri(redis.uri())
              .commandTimeout(SharedRedis.PATIENT)
              .keyPrefix("rotation:")
              .build(),
          clock);
      return new KeyRotationDrill.NodeStores(
          stores.sessionStore(SessionConfig.defaults()), stores.revocationStore(), stores);
    });
    System.out.println("key rotation on two nodes (Redis): " + report);

    assertThat(report.forcedLogouts()).isEmpty();
    assertThat(report.loginsPerPhase().values())
        .as("logins went on through every phase")
        .allMatch(n -> n > 0);
    assertThat(report.refusedAfter())
        .hasSize(2)
        .allMatch(
            d -> d.compareTo(Duration.ofSeconds(30)) < 0, "refused well within the drill's wait");
  }
}
