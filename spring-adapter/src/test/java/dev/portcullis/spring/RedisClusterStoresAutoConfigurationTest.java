package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.redis.RedisCluster;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.session.SessionStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code portcullis.redis.cluster-nodes} puts every store in a Redis Cluster; together with {@code uri}, with a seed
 * that is not a node URI, or with none, the application does not start and says why without repeating a password.
 * The tests that reach a cluster form a real three-master one (the redis module's test fixture) and are skipped,
 * saying so, where {@code redis-server} is not installed.
 */
class RedisClusterStoresAutoConfigurationTest {
  private static final String PASSWORD = "hunter2secret";

  private static RedisCluster cluster;

  @TempDir
  Path dir;

  @BeforeAll
  static void formCluster() throws IOException {
    if (RedisCluster.installed()) {
      cluster = RedisCluster.start();
    }
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static RedisCluster cluster() {
    Assumptions.assumeTrue(cluster != null, RedisCluster.MISSING);
    return cluster;
  }

  private WebApplicationContextRunner runner() throws IOException {
    return SharedStoresFixture.runner(dir)
        .withPropertyValues("portcullis.redis.command-timeout=5s");
  }

  @Test
  void clusterNodes_putEveryStoreInTheCluster_andASessionSavedThroughItReadsBack()
      throws Exception {
    RedisCluster redis = cluster();
    runner()
        .withPropertyValues(
            "portcullis.redis.cluster-nodes=" + String.join(",", redis.uris()),
            "portcullis.redis.key-prefix=portal-c:")
        .withPropertyValues(SharedStoresFixture.SSO)
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(RedisStores.class);
          SharedStoresFixture.assertEveryStoreFrom(context, "Redis");
          SharedStoresFixture.assertSessionReadsBack(context);
          int keys = 0;
          for (int i = 0; i < redis.size(); i++) {
            keys += redis.keysOn(i, "portal-c:").size();
          }
          assertThat(keys).as("keys under the prefix on the cluster's masters").isPositive();
        });
  }

  @Test
  void clusterNodes_asAnIndexedList_alsoSwitchTheStores() throws Exception {
    List<String> uris = cluster().uris();
    runner()
        .withPropertyValues(
            "portcullis.redis.cluster-nodes[0]=" + uris.get(1),
            "portcullis.redis.key-prefix=portal-d:")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(RedisStores.class);
          assertThat(context.getBean(SessionStore.class).getClass().getSimpleName())
              .startsWith("Redis");
          SharedStoresFixture.assertSessionReadsBack(context);
        });
  }

  @Test
  void clusterNodes_fromAnIndexedEnvironmentVariable_alsoSwitchTheStores() throws Exception {
    List<String> uris = cluster().uris();
    runner()
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(
            Map.of("PORTCULLIS_REDIS_CLUSTERNODES_0_", uris.get(2))))
        .withPropertyValues("portcullis.redis.key-prefix=portal-e:")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(RedisStores.class);
          assertThat(context.getBean(SessionStore.class).getClass().getSimpleName())
              .startsWith("Redis");
        });
  }

  @Test
  void uriAndClusterNodes_together_failStartUp_withoutThePassword() throws Exception {
    runner()
        .withPropertyValues(
            "portcullis.redis.uri=redis://:" + PASSWORD + "@127.0.0.1:6379",
            "portcullis.redis.cluster-nodes=redis://:" + PASSWORD + "@127.0.0.1:7000")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription()).contains("portcullis.redis", "not both");
          assertThat(analysis.getAction()).contains("cluster-nodes");
          assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(PASSWORD);
        });
  }

  @Test
  void aSentinelUriAsASeed_failsStartUp_withoutThePassword() throws Exception {
    runner()
        .withPropertyValues(
            "portcullis.redis.cluster-nodes=redis://127.0.0.1:7000,redis-sentinel://:" + PASSWORD
                + "@127.0.0.1:26379#portal")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription()).contains("portcullis.redis", "Redis Cluster node");
          assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(PASSWORD);
        });
  }

  @Test
  void aSeedThatIsNotAUri_failsStartUp_withoutRepeatingIt() throws Exception {
    runner()
        .withPropertyValues("portcullis.redis.cluster-nodes=redis://:" + PASSWORD + "@[not-a-host")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription()).contains("portcullis.redis");
          assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(PASSWORD);
        });
  }

  @Test
  void anEmptyNodeList_failsStartUp_ratherThanKeepingTheStoresInMemory() throws Exception {
    runner().withPropertyValues("portcullis.redis.cluster-nodes=").run(context -> {
      assertThat(context).hasFailed();
      var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
      assertThat(analysis.getDescription()).contains("portcullis.redis");
    });
  }

  @Test
  void unreachableCluster_failsStartUp_namingTheEndpointButNotThePassword() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    runner()
        .withPropertyValues(
            "portcullis.redis.cluster-nodes=redis://:" + PASSWORD + "@127.0.0.1:" + port,
            "portcullis.redis.command-timeout=200ms")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription())
              .contains("127.0.0.1:" + port)
              .doesNotContain(PASSWORD);
          assertThat(analysis.getAction()).contains("portcullis.redis.cluster-nodes");
        });
  }

  @Test
  void clusterNodesWithJdbc_failsStartUp() throws Exception {
    runner()
        .withPropertyValues(
            "portcullis.jdbc.enabled=true", "portcullis.redis.cluster-nodes=redis://127.0.0.1:7000")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription()).contains("portcullis.redis.cluster-nodes");
          assertThat(analysis.getAction()).contains("portcullis.jdbc.enabled=false");
        });
  }
}
