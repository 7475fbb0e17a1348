package dev.portcullis.servlet.autoconfig;

import dev.portcullis.redis.RedisStoreConfig;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.revocation.StoreUnavailableException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code portcullis.redis.*} settings turned into the Redis stores. {@code portcullis-redis} is optional: {@link
 * PortcullisAssembly} looks for {@link #MODULE_CLASS} with the application's class loader before it uses this class,
 * which names the module's types, so that an application without the module and without the settings never loads
 * them.
 *
 * <p><b>Security.</b> A URI may hold the Redis password: no message repeats one. The core's messages name the endpoint
 * (scheme, host and port) only.
 */
final class RedisSettings {
  /** A class of {@code portcullis-redis}, looked up to tell whether the module is on the class path. */
  static final String MODULE_CLASS = "dev.portcullis.redis.RedisStores";

  static final String PREFIX = "portcullis.redis";

  private RedisSettings() {}

  /** Checks the settings; empty, with the core's refusal among the problems, when it refuses them. */
  static Optional<SharedStores.Connection> connection(PortcullisSettings s) {
    String pendingKey = PREFIX + ".max-pending-commands";
    Optional<Integer> pending = s.integer(pendingKey).filter(n -> {
      if (n < 2 || n > 65_536) {
        s.invalid(pendingKey, "a whole number from 2 to 65536");
        return false;
      }
      return true;
    });
    RedisStoreConfig config = PortcullisAssembly.part(
        s,
        PREFIX + " (uri or cluster-nodes, not both; key-prefix, command-timeout, clock-skew,"
            + " max-pending-commands, trusted-certificates)",
        () -> {
          RedisStoreConfig.Builder b = RedisStoreConfig.builder();
          s.string(PREFIX + ".uri").ifPresent(b::uri);
          List<String> nodes = s.list(PREFIX + ".cluster-nodes");
          if (!nodes.isEmpty()) {
            b.clusterNodes(nodes);
          }
          s.string(PREFIX + ".key-prefix").ifPresent(b::keyPrefix);
          s.duration(PREFIX + ".command-timeout").ifPresent(b::commandTimeout);
          s.duration(PREFIX + ".clock-skew").ifPresent(b::clockSkew);
          pending.ifPresent(b::maxPendingCommands);
          s.path(PREFIX + ".trusted-certificates").ifPresent(b::trustedCertificates);
          return b.build();
        });
    if (config == null) {
      return Optional.empty();
    }
    return Optional.of((clock, contextAttributes) -> {
      RedisStores stores;
      try {
        stores = RedisStores.connect(config, clock);
      } catch (StoreUnavailableException e) {
        throw new IllegalStateException(
            PortcullisAssembly.report(List.of(PREFIX + ": " + e.getMessage()
                + "; check portcullis.redis.uri or portcullis.redis.cluster-nodes (hosts, ports, password, TLS)"
                + " and that Redis is reachable: a node does not start without its stores")),
            e);
      }
      return new SharedStores(
          stores::sessionStore,
          stores.revocationStore(),
          stores.loginAttemptStore(),
          stores.accountLinkStore(),
          stores.replayStore(),
          stores);
    });
  }
}
