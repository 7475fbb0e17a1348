package dev.portcullis.redis;

import dev.portcullis.internal.WholeFile;
import io.lettuce.core.RedisURI;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link RedisStores} reaches Redis and names its keys. Immutable; made by {@link #builder()}, which checks every
 * value in {@link Builder#build()}.
 *
 * <p>Redis is reached one of three ways: a standalone server or a Sentinel-watched master ({@link Builder#uri}: a
 * {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URI), or a Redis Cluster
 * ({@link Builder#clusterNodes}: the URIs of some of its nodes, from which the client learns the rest).
 *
 * <p><b>Security.</b> The URIs may carry a password (or an ACL user and its password, {@code rediss://user:pw@...}) and
 * ask for TLS ({@code rediss://}); Lettuce handles both. TLS checks Redis's certificate and host name, against the
 * JVM's default trust store or, for a certificate a private CA signed, against {@link Builder#trustedCertificates}.
 * This class never shows the password: {@link #toString()} names the endpoint only.
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
  /**
   * The largest trusted certificates file read: a bundle of a private CA's certificates is a few kilobytes; a named
   * pipe, a device or a larger file is refused before it is read.
   */
  private static final int MAX_CERTIFICATES_FILE_BYTES = 1024 * 1024;

  private static final Duration SHORTEST_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private final RedisURI uri;
  private final List<RedisURI> clusterNodes;
  private final String keyPrefix;
  private final Duration commandTimeout;
  private final Duration clockSkew;
  private final int maxPendingCommands;
  private final Path trustedCertificates;

  private RedisStoreConfig(Builder b) {
    this.uri = b.uri;
    this.clusterNodes = List.copyOf(b.clusterNodes);
    this.keyPrefix = b.keyPrefix;
    this.commandTimeout = b.commandTimeout;
    this.clockSkew = b.clockSkew;
    this.maxPendingCommands = b.maxPendingCommands;
    this.trustedCertificates = b.trustedCertificates;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether Redis is a cluster ({@link Builder#clusterNodes}) rather than one server or a Sentinel master. */
  public boolean cluster() {
    return !clusterNodes.isEmpty();
  }

  /** A copy of the URI, with {@link #connectTimeout()} as its timeout; null for a cluster. */
  RedisURI uri() {
    return uri == null ? null : withTimeout(uri);
  }

  /** Copies of the cluster's seed URIs, with {@link #connectTimeout()} as their timeout; empty unless a cluster. */
  List<RedisURI> clusterNodes() {
    return clusterNodes.stream().map(this::withTimeout).toList();
  }

  private RedisURI withTimeout(RedisURI original) {
    RedisURI.Builder builder = RedisURI.builder(original);
    // Lettuce's copying builder leaves the Sentinel part out (and then has no host to build).
    if (original.getSentinels() != null && !original.getSentinels().isEmpty()) {
      builder.withSentinelMasterId(original.getSentinelMasterId());
      original.getSentinels().forEach(builder::withSentinel);
    }
    RedisURI copy = builder.build();
    // The URI's timeout bounds the connection's set-up (the handshake after the TCP connect, a
    // reconnect's too); each command keeps the command timeout, which the connection sets.
    copy.setTimeout(connectTimeout());
    return copy;
  }

  /**
   * How long a connection may take to be made, its handshake included: the command timeout, but at least 2 seconds.
   * Opening a connection (TLS, authentication, a server busy for a moment) may take longer than a request's call
   * should, and a start that fails on it stops the application.
   */
  Duration connectTimeout() {
    return commandTimeout.compareTo(SHORTEST_CONNECT_TIMEOUT) > 0
        ? commandTimeout
        : SHORTEST_CONNECT_TIMEOUT;
  }

  /** The endpoint, for logs: scheme, host and port, never credentials. */
  String endpoint() {
    if (cluster()) {
      RedisURI first = clusterNodes.get(0);
      return (first.isSsl() ? "rediss" : "redis") + " cluster via " + first.getHost() + ":"
          + first.getPort()
          + (clusterNodes.size() > 1 ? " and " + (clusterNodes.size() - 1) + " more" : "");
    }
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

  /** The PEM file of the CAs Redis's TLS certificate is checked against, when not the JVM's default trust store. */
  public Optional<Path> trustedCertificates() {
    return Optional.ofNullable(trustedCertificates);
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
    private final List<RedisURI> clusterNodes = new ArrayList<>();
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private int maxPendingCommands = DEFAULT_MAX_PENDING_COMMANDS;
    private Path trustedCertificates;

    private Builder() {}

    /**
     * Where Redis is: standalone or through Sentinel; TLS and password as the URI says. This or
     * {@link #clusterNodes(List)} is required, not both.
     */
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
     * A Redis Cluster, by the URIs of one or more of its nodes ({@code redis://host:port} or {@code rediss://...},
     * with the password in the URI as for {@link #uri(String)}); the client asks them for the cluster's layout and
     * reaches every other node with the same TLS setting and credentials. All seeds must agree on TLS. Replaces any
     * earlier call; this or {@link #uri} is required, not both.
     *
     * @throws IllegalArgumentException when a string is not a {@code redis://} or {@code rediss://} URI of one host;
     *     the message does not repeat the string, which may hold a password
     */
    public Builder clusterNodes(List<String> seedUris) {
      Objects.requireNonNull(seedUris, "seedUris");
      List<RedisURI> parsed = new ArrayList<>();
      for (String s : seedUris) {
        Objects.requireNonNull(s, "seed URI");
        RedisURI node;
        try {
          node = RedisURI.create(s);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(
              "not a Redis cluster node URI (redis://host:port, rediss://host:port)");
        }
        parsed.add(node);
      }
      clusterNodes.clear();
      clusterNodes.addAll(parsed);
      return this;
    }

    /**
     * Put before every key, so that several portals (or other applications) can share one Redis. Printable ASCII
     * without spaces, at most 64 characters. Default {@value RedisStoreConfig#DEFAULT_KEY_PREFIX}.
     */
    /**
     * On a cluster the prefix must hold no {@code {}} or {@code }}}: the stores choose each key's hash tag themselves.
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
     * would read. 2 to 65536. Default {@value RedisStoreConfig#DEFAULT_MAX_PENDING_COMMANDS}.
     *
     * <p>The client still counts a command for a moment after its answer has reached the caller, so a thread that
     * makes its next call at once can find its previous command counted: at a bound of one, about a third of the
     * calls one thread makes in a row were refused (a login's limit checks among them). Give at least one per thread
     * that calls the stores at once (the container's request threads), or requests are refused under normal load.
     */
    public Builder maxPendingCommands(int maxPendingCommands) {
      this.maxPendingCommands = maxPendingCommands;
      return this;
    }

    /**
     * A PEM file of one or more CA certificates: Redis's TLS certificate must chain to one of them, instead of to the
     * JVM's default trust store. For a Redis (every node of a cluster, or the master Sentinel names) whose certificate
     * a private CA signed, without changing the trust of the whole JVM. The host name is still checked against the
     * certificate. Only with TLS ({@code rediss://}); read when the configuration is built and at each connection.
     */
    public Builder trustedCertificates(Path pemFile) {
      this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalStateException when the URI (or the cluster's nodes) is missing, both are given, a value is out
     *     of range, or the cluster's nodes are not plain node URIs that agree on TLS
     */
    public RedisStoreConfig build() {
      requireState(
          uri != null || !clusterNodes.isEmpty(),
          "a Redis URI or the nodes of a Redis Cluster are required");
      requireState(
          uri == null || clusterNodes.isEmpty(),
          "give either a Redis URI or the nodes of a Redis Cluster, not both");
      for (RedisURI node : clusterNodes) {
        requireState(
            (node.getSentinels() == null || node.getSentinels().isEmpty())
                && node.getSocket() == null
                && node.getHost() != null,
            "a Redis Cluster node is a redis:// or rediss:// URI of one host and port");
        requireState(
            node.isSsl() == clusterNodes.get(0).isSsl(),
            "the nodes of a Redis Cluster must all use TLS (rediss://) or none");
      }
      requireState(
          clusterNodes.isEmpty() || (keyPrefix.indexOf('{') < 0 && keyPrefix.indexOf('}') < 0),
          "on a Redis Cluster the key prefix must not hold { or }: the stores set the hash tags");
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
          maxPendingCommands >= 2 && maxPendingCommands <= 65_536,
          "the pending-command bound must be 2 to 65536");
      if (trustedCertificates != null) {
        requireState(
            uri != null ? uri.isSsl() : clusterNodes.get(0).isSsl(),
            "trusted certificates are for TLS: use a rediss:// URI");
        byte[] pem;
        try {
          pem = WholeFile.read(
              trustedCertificates,
              MAX_CERTIFICATES_FILE_BYTES,
              "the trusted certificates file " + trustedCertificates);
        } catch (WholeFile.RefusedFileException e) {
          throw new IllegalStateException(e.getMessage(), e);
        } catch (IOException e) {
          pem = new byte[0];
        }
        requireState(
            certificateCount(pem) > 0,
            "the trusted certificates file " + trustedCertificates
                + " cannot be read or holds no PEM certificate");
      }
      return new RedisStoreConfig(this);
    }

    private static int certificateCount(byte[] pem) {
      try {
        return CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem))
            .size();
      } catch (CertificateException e) {
        return 0;
      }
    }

    private static void requireState(boolean ok, String message) {
      if (!ok) {
        throw new IllegalStateException(message);
      }
    }
  }
}
