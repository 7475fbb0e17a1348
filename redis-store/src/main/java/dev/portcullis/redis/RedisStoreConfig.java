package dev.portcullis.redis;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RedisStores} reaches Redis and names its keys. Immutable; made by {@link #builder()}, which checks every
 * value in {@link Builder#build()}.
 *
 * <p><b>Security.</b> The URI may carry a password and ask for TLS ({@code rediss://}); Lettuce handles both. This
 * class never shows the password: {@link #toString()} names the endpoint only.
 */
public final class RedisStoreConfig {
  /** The key prefix unless one is set. */
  public static final String DEFAULT_KEY_PREFIX = "portcullis:";
  /** How long a call waits for Redis unless set otherwise. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);
  /** How much longer than asked records are kept, unless set otherwise. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
  /** How many commands may wait for Redis's answer at once, unless set otherwise. */
  public static final int DEFAULT_MAX_PENDING_COMMANDS = 1024;

  private static final Duration LONGEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration LONGEST_SKEW = Duration.ofMinutes(10);
  private static final int LONGEST_PREFIX = 64;

  private final RedisURI uri;
  private final String keyPrefix;
  private final Duration commandTimeout;
  private final Duration clockSkew;
  private final int maxPendingCommands;

  private RedisStoreConfig(Builder b) {
    this.uri = b.uri;
    this.keyPrefix = b.keyPrefix;
    this.commandTimeout = b.commandTimeout;
    this.clockSkew = b.clockSkew;
    this.maxPendingCommands = b.maxPendingCommands;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A copy of the URI, with {@link #commandTimeout()} as its timeout. */
  RedisURI uri() {
    RedisURI copy = RedisURI.builder(uri).build();
    copy.setTimeout(commandTimeout);
    return copy;
  }

  /** The endpoint, for logs: scheme, host and port, never credentials. */
  String endpoint() {
    if (uri.getSentinels() != null && !uri.getSentinels().isEmpty()) {
      return "redis-sentinel master " + uri.getSentinelMasterId();
    }
    if (uri.getSocket() != null) {
      return "redis-socket " + uri.getSocket();
    }
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
  }

  public String keyPrefix() {
    return keyPrefix;
  }

  public Duration commandTimeout() {
    return commandTimeout;
  }

  public Duration clockSkew() {
    return clockSkew;
  }

  public int maxPendingCommands() {
    return maxPendingCommands;
  }

  @Override
  public String toString() {
    return "RedisStoreConfig[" + endpoint() + ", keyPrefix=" + keyPrefix + ", commandTimeout="
        + commandTimeout + ", clockSkew=" + clockSkew + ", maxPendingCommands=" + maxPendingCommands
        + "]";
  }

  /** Collects the settings; {@link #build()} refuses missing or out-of-range values. */
  public static final class Builder {
    private RedisURI uri;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private int maxPendingCommands = DEFAULT_MAX_PENDING_COMMANDS;

    private Builder() {}

    /** Where Redis is: standalone or through Sentinel; TLS and password as the URI says. Required. */
    public Builder uri(RedisURI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * Where Redis is, as a URI string such as {@code rediss://:password@redis.internal:6379/0}.
     *
     * @throws IllegalArgumentException when it is not a Redis URI; the message does not repeat the string, which may
     *     hold a password
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      try {
        this.uri = RedisURI.create(uri);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "not a Redis URI (redis://, rediss://, redis-sentinel://)");
      }
      return this;
    }

    /**
     * Put before every key, so that several portals (or other applications) can share one Redis. Printable ASCII
     * without spaces, at most 64 characters. Default {@value RedisStoreConfig#DEFAULT_KEY_PREFIX}.
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * The longest a store call waits for Redis before it gives up with
     * {@link dev.portcullis.revocation.StoreUnavailableException}; it replaces any timeout in the URI. More than zero,
     * at most 30 seconds. Default 500 ms.
     */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
      return this;
    }

    /**
     * The largest clock difference expected between the nodes that share the Redis. Records are kept in Redis this
     * much longer than their expiry, so that a node whose clock is behind still sees a revocation or a used token
     * until its own clock passes the expiry. Zero to ten minutes. Default 30 seconds.
     */
    public Builder clockSkew(Duration clockSkew) {
      this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
      return this;
    }

    /**
     * The most commands that may be on their way to Redis or waiting for its answer at once, on this node. A command
     * that timed out still waits for its answer (Redis answers in order), so while Redis is slow the queue fills;
     * beyond this bound a call fails closed at once instead of adding work that Redis would run late and nobody
     * would read. 1 to 65536. Default {@value RedisStoreConfig#DEFAULT_MAX_PENDING_COMMANDS}.
     */
    public Builder maxPendingCommands(int maxPendingCommands) {
      this.maxPendingCommands = maxPendingCommands;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalStateException when the URI is missing or a value is out of range
     */
    public RedisStoreConfig build() {
      requireState(uri != null, "a Redis URI is required");
      requireState(
          !keyPrefix.isEmpty()
              && keyPrefix.length() <= LONGEST_PREFIX
              && keyPrefix.chars().allMatch(c -> c > 0x20 && c < 0x7f),
          "the key prefix must be 1 to 64 printable ASCII characters without spaces");
      requireState(
          !commandTimeout.isNegative()
              && !commandTimeout.isZero()
              && commandTimeout.compareTo(LONGEST_TIMEOUT) <= 0,
          "the command timeout must be above zero and at most 30 s");
      requireState(
          !clockSkew.isNegative() && clockSkew.compareTo(LONGEST_SKEW) <= 0,
          "the clock skew must be between zero and 10 minutes");
      requireState(
          maxPendingCommands >= 1 && maxPendingCommands <= 65_536,
          "the pending-command bound must be 1 to 65536");
      return new RedisStoreConfig(this);
    }

    private static void requireState(boolean ok, String message) {
      if (!ok) {
        throw new IllegalStateException(message);
      }
    }
  }
}
