package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.codahale.metrics.health.HealthCheck;
import dev.portcullis.redis.RedisServer;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.revocation.StoreUnavailableException;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The Redis connection of the {@code redis} block lives as long as the application: the health check {@value
 * PortcullisBundle#HEALTH_CHECK} probes it, and the bundle closes it when Dropwizard stops.
 */
class RedisBlockLifecycleTest {
  @Test
  void theHealthCheck_isUnhealthy_whileTheRedisOfTheBlockDoesNotAnswer() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    RedisServer redis = RedisServer.start();
    DropwizardTestSupport<PortalApp.Config> node = new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-app.yml"),
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()),
        ConfigOverride.config("portcullis.redis.uri", redis.uri()));
    boolean redisUp = true;
    try {
      node.before();
      assertThat(health(node).isHealthy()).as(health(node).getMessage()).isTrue();

      redis.close();
      redisUp = false;

      HealthCheck.Result down = health(node);
      assertThat(down.isHealthy()).isFalse();
      assertThat(down.getMessage()).startsWith("session store unreachable");
    } finally {
      node.after();
      if (redisUp) {
        redis.close();
      }
    }
  }

  private static HealthCheck.Result health(DropwizardTestSupport<PortalApp.Config> node) {
    return node.getEnvironment().healthChecks().runHealthCheck(PortcullisBundle.HEALTH_CHECK);
  }

  @Test
  void theConnection_isClosedWhenTheApplicationStops() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    try (RedisServer redis = RedisServer.start()) {
      DropwizardTestSupport<PortalApp.Config> node = new DropwizardTestSupport<>(
          PortalApp.class,
          ResourceHelpers.resourceFilePath("portcullis-app.yml"),
          ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()),
          ConfigOverride.config("portcullis.redis.uri", redis.uri()));
      node.before();
      RedisStores stores;
      try {
        stores = ((PortalApp) node.getApplication()).bundle.redisStores().orElseThrow();
        assertThat(stores.revocationStore().isRevoked("t", "u", Instant.EPOCH)).isFalse();
      } finally {
        node.after();
      }

      assertThatThrownBy(() -> stores.revocationStore().isRevoked("t", "u", Instant.EPOCH))
          .as("Redis still runs; the application's connection to it is closed")
          .isInstanceOf(StoreUnavailableException.class);
    }
  }
}
