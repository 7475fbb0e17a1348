package dev.portcullis.redis;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a three-master {@link RedisCluster} shared by the whole test run (formed on first use, stopped when the
 * run ends); tests keep apart by key prefix ({@link SharedRedis#freshPrefix()}). Without {@code redis-server} the
 * tests are skipped, saying why, except on CI ({@code CI=true}), where they fail: a CI run must not pass a cluster
 * suite it never ran.
 */
final class SharedRedisCluster implements BeforeAllCallback, ParameterResolver {
  @Override
  public void beforeAll(ExtensionContext context) {
    if (RedisServer.binary().isEmpty() && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "redis-server is not installed (apt-get install redis-server), and CI=true: the Redis"
              + " Cluster tests must run on CI");
    }
    Assumptions.assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(SharedRedisCluster.class))
        .getOrComputeIfAbsent(
            RedisCluster.class,
            k -> {
              try {
                return RedisCluster.start();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            RedisCluster.class);
  }

  /** A cluster store configuration with the patient command timeout; the test adds the rest. */
  static RedisStoreConfig.Builder patientConfig(RedisCluster cluster) {
    return RedisStoreConfig.builder()
        .clusterNodes(cluster.uris())
        .commandTimeout(SharedRedis.PATIENT);
  }
}
