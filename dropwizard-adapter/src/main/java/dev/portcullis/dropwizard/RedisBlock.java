package dev.portcullis.dropwizard;

import dev.portcullis.redis.RedisStoreConfig;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.revocation.StoreUnavailableException;
import java.time.InstantSource;

/**
 * The {@code portcullis.redis} block turned into the Redis stores, with the Spring Boot starter's checks and advice.
 * {@code portcullis-redis} is an optional dependency: the bundle calls {@link #requireModule} before this class or any
 * of the module's types is used, so that an application without the module and without the block never loads them.
 *
 * <p><b>Security.</b> No message repeats a URI, which may hold a password; they name the endpoint (scheme, host and
 * port) as the core's own messages do.
 */
final class RedisBlock {
  /** A class of {@code portcullis-redis}, looked up to tell whether the module is on the class path. */
  static final String MODULE_CLASS = "dev.portcullis.redis.RedisStores";

  private static final String ACTION =
      "Fix portcullis.redis: set either uri (a redis://, rediss:// or redis-sentinel:// URI) or cluster-nodes"
          + " (redis:// or rediss:// URIs of one host and port each, all with TLS or none), not both;"
          + " command-timeout is above zero and at most 30 s; clock-skew at most 10 minutes; key-prefix is 1 to 64"
          + " printable characters (on a cluster without { or }); trusted-certificates only with rediss://; max-pending-commands is 2 to 65536.";

  private RedisBlock() {}

  /**
   * @throws IllegalStateException naming the artifact to add when {@code className} cannot be loaded
   */
  static void requireModule(String className, ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "portcullis.redis is set but dev.portcullis:portcullis-redis is not on the class path. Add the dependency"
              + " dev.portcullis:portcullis-redis (the version of portcullis-dropwizard), or remove portcullis.redis"
              + " to keep every store in this node's memory.",
          e);
    }
  }

  /**
   * The core's configuration from the block.
   *
   * @throws IllegalStateException when the core refuses a setting, with its reason and what to fix
   */
  static RedisStoreConfig config(PortcullisFactory.Redis block) {
    try {
      RedisStoreConfig.Builder b = RedisStoreConfig.builder();
      if (block.getUri() != null) {
        b.uri(block.getUri());
      }
      if (!block.getClusterNodes().isEmpty()) {
        b.clusterNodes(block.getClusterNodes());
      }
      if (block.getKeyPrefix() != null) {
        b.keyPrefix(block.getKeyPrefix());
      }
      if (block.getCommandTimeout() != null) {
        b.commandTimeout(block.getCommandTimeout().toJavaDuration());
      }
      if (block.getClockSkew() != null) {
        b.clockSkew(block.getClockSkew().toJavaDuration());
      }
      if (block.getMaxPendingCommands() != null) {
        b.maxPendingCommands(block.getMaxPendingCommands());
      }
      if (block.getTrustedCertificates() != null) {
        b.trustedCertificates(block.getTrustedCertificates());
      }
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException(
          "portcullis.redis was refused: " + e.getMessage() + ". " + ACTION, e);
    }
  }

  /**
   * Connects; a node does not start without its stores.
   *
   * @throws IllegalStateException when Redis cannot be reached now, naming the endpoint and the settings to check
   */
  static RedisStores connect(RedisStoreConfig config, InstantSource clock) {
    try {
      return RedisStores.connect(config, clock);
    } catch (StoreUnavailableException e) {
      throw new IllegalStateException(
          "portcullis.redis: " + e.getMessage()
              + ". Check portcullis.redis.uri or portcullis.redis.cluster-nodes"
              + " (hosts, ports, password, TLS) and that Redis is reachable: a node does not start without its"
              + " stores.",
          e);
    }
  }
}
