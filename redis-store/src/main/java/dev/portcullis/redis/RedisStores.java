package dev.portcullis.redis;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The Redis stores of one portal node, sharing one connection: sessions, revocation, replay, account links and the
 * login limit.
 *
 * <pre>{@code
 * RedisStores redis = RedisStores.connect(
 *     RedisStoreConfig.builder().uri("rediss://:secret@redis.internal:6379").build(), clock);
 * RevocationStore revocations = redis.revocationStore();
 * ...
 * redis.close(); // at shutdown
 * }</pre>
 *
 * <p><b>Ownership.</b> This object owns its Lettuce client, its threads and its one connection (Lettuce connections are
 * thread-safe; every store and every request thread share it). {@link #close()} releases them; the stores it handed
 * out then fail with {@link StoreUnavailableException}. Close it once, when the node shuts down.
 *
 * <p><b>Security.</b> Fails closed within a bounded time: each call waits at most the configured command timeout, and
 * while the connection is down calls are refused at once instead of queued; either way the store throws
 * {@link StoreUnavailableException}, which callers treat as "not authenticated". The connection reconnects by itself
 * (backing off to at most one attempt per second), so service resumes when Redis returns, without a restart. A slow
 * Redis (one that answers late rather than not at all) is met the same way: each call still ends within the timeout,
 * the node keeps its one connection (no pool to grow), and at most {@link RedisStoreConfig#maxPendingCommands()}
 * commands wait for answers; past that, calls fail closed at once. Keys hold
 * SHA-256 hashes of identifiers, never the identifiers; logs name the operation and the failure, never a key or
 * value.
 *
 * <p><b>Deployments.</b> A standalone Redis, a master found through Sentinel ({@code redis-sentinel://} URI), or a
 * Redis Cluster ({@link RedisStoreConfig.Builder#clusterNodes}). On a cluster the keys carry hash tags so that every
 * script touches one slot, and the few operations whose keys cannot share a slot are split into calls made in the
 * order that fails closed (see {@link #sessionStore}); the client follows the cluster's redirects and refreshes its
 * view of the slots when they move. Standalone and Sentinel keep the key names of earlier versions.
 */
public final class RedisStores implements AutoCloseable {
  private static final Duration LONGEST_RECONNECT_DELAY = Duration.ofSeconds(1);
  /** How often a cluster connection re-reads the slot layout even when no redirect told it to. */
  private static final Duration CLUSTER_REFRESH_PERIOD = Duration.ofSeconds(60);

  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, byte[]> connection;
  private final RedisCalls calls;
  private final Keys keys;
  private final long clockSkewMillis;

  private RedisStores(
      ClientResources resources,
      AbstractRedisClient client,
      StatefulConnection<String, byte[]> connection,
      RedisClusterCommands<String, byte[]> commands,
      RedisStoreConfig config,
      InstantSource clock) {
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.calls = new RedisCalls(commands, config.endpoint());
    this.keys = new Keys(config.keyPrefix(), clock, config.clockSkew(), config.cluster());
    this.clockSkewMillis = config.clockSkew().toMillis();
  }

  /**
   * Connects to Redis, or to a Redis Cluster when the configuration names its nodes.
   *
   * @param clock the time the stores decide expiry by; the same source the rest of Portcullis uses
   * @throws StoreUnavailableException when Redis cannot be reached (or refuses the credentials) now; the node should
   *     not start without its stores
   */
  public static RedisStores connect(RedisStoreConfig config, InstantSource clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    ClientResources resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(
            Duration.ofMillis(10), LONGEST_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
        .build();
    SocketOptions socket = SocketOptions.builder()
        .connectTimeout(config.connectTimeout())
        .keepAlive(true)
        .build();
    return config.cluster()
        ? connectCluster(config, clock, resources, socket)
        : connectOne(config, clock, resources, socket);
  }

  private static RedisStores connectOne(
      RedisStoreConfig config,
      InstantSource clock,
      ClientResources resources,
      SocketOptions socket) {
    Duration timeout = config.commandTimeout();
    RedisClient client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // A command issued while disconnected fails at once rather than waiting in a queue for a
        // reconnect.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // While Redis is slow, timed-out commands still wait for their answers; past this bound
        // calls fail at once.
        .requestQueueSize(config.maxPendingCommands())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(socket)
        .sslOptions(ssl(config))
        .build());
    try {
      StatefulRedisConnection<String, byte[]> connection = client.connect(CODEC, config.uri());
      connection.setTimeout(timeout);
      return new RedisStores(resources, client, connection, connection.sync(), config, clock);
    } catch (RedisException e) {
      shutdown(client, resources);
      throw unreachable(config, e);
    }
  }

  private static RedisStores connectCluster(
      RedisStoreConfig config,
      InstantSource clock,
      ClientResources resources,
      SocketOptions socket) {
    Duration timeout = config.commandTimeout();
    RedisClusterClient client = RedisClusterClient.create(resources, config.clusterNodes());
    client.setOptions(ClusterClientOptions.builder()
        .autoReconnect(true)
        // The same fail-closed bounds as on one server, for each node's connection.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(config.maxPendingCommands())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(socket)
        .sslOptions(ssl(config))
        // A MOVED or ASK redirect, or a node that cannot be reached, makes the client re-read
        // the slot layout at once; the periodic refresh catches changes no call ran into.
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enableAllAdaptiveRefreshTriggers()
            .enablePeriodicRefresh(CLUSTER_REFRESH_PERIOD)
            .build())
        .build());
    try {
      StatefulRedisClusterConnection<String, byte[]> connection = client.connect(CODEC);
      connection.setTimeout(timeout);
      // Lettuce opens a node's connection on the first command for it, and the rejecting
      // behaviour above refuses commands while that connection is being opened: open every
      // master's connection now, by node id (slot routing) and by address (redirects).
      for (RedisClusterNode node : connection.getPartitions()) {
        if (node.getRole().isUpstream()) {
          connection.getConnection(node.getNodeId());
          connection.getConnection(node.getUri().getHost(), node.getUri().getPort());
        }
      }
      return new RedisStores(resources, client, connection, connection.sync(), config, clock);
    } catch (RedisException e) {
      shutdown(client, resources);
      throw unreachable(config, e);
    }
  }

  /** The JDK's TLS, trusting the configured CA certificates when there are some, else the JVM's trust store. */
  private static SslOptions ssl(RedisStoreConfig config) {
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
    config.trustedCertificates().ifPresent(pem -> ssl.trustManager(pem.toFile()));
    return ssl.build();
  }

  private static StoreUnavailableException unreachable(RedisStoreConfig config, RedisException e) {
    return new StoreUnavailableException(
        "cannot connect to Redis at " + config.endpoint() + " (" + e.getClass().getSimpleName()
            + ")",
        e);
  }

  /** Revoked tickets and per-user cut-offs; one round trip per check. */
  public RevocationStore revocationStore() {
    return new RedisRevocationStore(calls, keys);
  }

  /** Single-use token ids (SSO-upgrade tokens); one atomic command per redemption. */
  public ReplayStore replayStore() {
    return new RedisReplayStore(calls, keys);
  }

  /**
   * The login limit's budgets and known addresses, shared by every node: one atomic script per reservation. Give it
   * to {@code LoginThrottle.Builder.store} together with a {@code hashKey} that every node shares.
   */
  public LoginAttemptStore loginAttemptStore() {
    return new RedisLoginAttemptStore(calls, keys, clockSkewMillis);
  }

  /** Links from SSO identities to portal users. These never expire: run Redis with persistence when it holds them. */
  public AccountLinkStore accountLinkStore() {
    return new RedisAccountLinkStore(calls, keys);
  }

  /**
   * Sessions, with the idle and absolute timeouts of {@code config} (its {@code maxSessions} does not apply: Redis's
   * own memory limit does). One round trip per request that reads its session; one more only when it changed it. With
   * this object's {@link #revocationStore()}, the session read and the revocation check of an authenticated request
   * are one script call together ({@link SessionStore#withRevocations}).
   *
   * <p>On a Redis Cluster the session's hash, the user's session index and the revocation keys lie in different
   * slots, so: an authenticated request makes two calls (the session, then the revocation check); a login adds the
   * session to the user's index in a call of its own before writing it; a rotation takes the old session away first
   * and writes the new one second, so a failure in between logs the user out instead of leaving the old id valid;
   * finding or deleting a user's sessions reads the index and then each session on its own node.
   */
  public SessionStore sessionStore(SessionConfig config) {
    return new RedisSessionStore(
        calls, keys, Objects.requireNonNull(config, "config"), clockSkewMillis);
  }

  /** Closes the connection and releases the client's threads; again does nothing. The stores fail closed afterwards. */
  @Override
  public void close() {
    if (!calls.close()) {
      return;
    }
    try {
      connection.close();
    } finally {
      shutdown(client, resources);
    }
  }

  private static void shutdown(AbstractRedisClient client, ClientResources resources) {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
