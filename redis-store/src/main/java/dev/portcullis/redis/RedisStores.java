package dev.portcullis.redis;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
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
 * value. Standalone Redis or Sentinel only: the scripts touch more than one key, which Redis Cluster would refuse (the
 * session key and the revocation keys of the combined lookup cannot share a slot either, so on a cluster the session
 * read and the revocation check would be two calls).
 */
public final class RedisStores implements AutoCloseable {
  private static final Duration LONGEST_RECONNECT_DELAY = Duration.ofSeconds(1);
  private static final Duration SHORTEST_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisCalls calls;
  private final Keys keys;
  private final long clockSkewMillis;

  private RedisStores(
      ClientResources resources,
      RedisClient client,
      StatefulRedisConnection<String, byte[]> connection,
      RedisStoreConfig config,
      InstantSource clock) {
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.calls = new RedisCalls(connection.sync(), config.endpoint());
    this.keys = new Keys(config.keyPrefix(), clock, config.clockSkew());
    this.clockSkewMillis = config.clockSkew().toMillis();
  }

  /**
   * Connects to Redis.
   *
   * @param clock the time the stores decide expiry by; the same source the rest of Portcullis uses
   * @throws StoreUnavailableException when Redis cannot be reached (or refuses the credentials) now; the node should
   *     not start without its stores
   */
  public static RedisStores connect(RedisStoreConfig config, InstantSource clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    Duration timeout = config.commandTimeout();
    ClientResources resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(
            Duration.ofMillis(10), LONGEST_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
        .build();
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
        .socketOptions(SocketOptions.builder()
            .connectTimeout(
                timeout.compareTo(SHORTEST_CONNECT_TIMEOUT) > 0
                    ? timeout
                    : SHORTEST_CONNECT_TIMEOUT)
            .keepAlive(true)
            .build())
        .build());
    try {
      StatefulRedisConnection<String, byte[]> connection =
          client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), config.uri());
      connection.setTimeout(timeout);
      return new RedisStores(resources, client, connection, config, clock);
    } catch (RedisException e) {
      shutdown(client, resources);
      throw new StoreUnavailableException(
          "cannot connect to Redis at " + config.endpoint() + " ("
              + e.getClass().getSimpleName() + ")",
          e);
    }
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

  private static void shutdown(RedisClient client, ClientResources resources) {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
