package dev.portcullis.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the portal treats the connection a request arrived on: which proxies may say the client used HTTPS, how long
 * browsers should remember to use HTTPS only (HSTS), where plain-HTTP requests are sent, and whether a developer's
 * own machine may use plain HTTP. Immutable; made by {@link #builder()}, which checks the values in
 * {@link Builder#build()}.
 *
 * <p>Defaults: no trusted proxy (forwarding headers are ignored), HSTS for one year without
 * {@code includeSubDomains}, HTTPS on port 443, development mode off.
 *
 * <p><b>Security.</b> A request is secure only when its own connection is TLS or when a configured trusted proxy says
 * so; nothing a client sends directly can make it secure. Development mode lets plain HTTP through only when both
 * the connection's peer and the resolved client are loopback addresses, so it never opens the portal to the network,
 * but it is still meant for a developer's machine only. What is not covered: the first plain-HTTP request of a
 * browser that has not yet seen the HSTS header travels unprotected before it is redirected.
 */
public final class TransportConfig {
  /** The HSTS max-age used when none is configured: one year. */
  public static final Duration DEFAULT_HSTS_MAX_AGE = Duration.ofDays(365);

  // RFC 3986 host: an IP-literal in brackets, or a reg-name/IPv4 limited to letters, digits, '.' and '-'. Anything
  // else (userinfo, percent-escapes, sub-delims) is refused rather than copied into a Location header.
  private static final Pattern HOST =
      Pattern.compile("(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::[0-9]{1,5})?");

  private final TrustedProxies trustedProxies;
  private final Duration hstsMaxAge;
  private final boolean hstsIncludeSubDomains;
  private final int httpsPort;
  private final boolean developmentMode;

  private TransportConfig(Builder b, TrustedProxies trustedProxies) {
    this.trustedProxies = trustedProxies;
    this.hstsMaxAge = Duration.ofSeconds(b.hstsMaxAge.getSeconds());
    this.hstsIncludeSubDomains = b.hstsIncludeSubDomains;
    this.httpsPort = b.httpsPort;
    this.developmentMode = b.developmentMode;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The configuration with every default: HTTPS required, no trusted proxy. */
  public static TransportConfig defaults() {
    return builder().build();
  }

  public TrustedProxies trustedProxies() {
    return trustedProxies;
  }

  /** How long a browser keeps to HTTPS after it sees the HSTS header; whole seconds. */
  public Duration hstsMaxAge() {
    return hstsMaxAge;
  }

  public boolean hstsIncludeSubDomains() {
    return hstsIncludeSubDomains;
  }

  /** The port plain-HTTP requests are redirected to. */
  public int httpsPort() {
    return httpsPort;
  }

  public boolean developmentMode() {
    return developmentMode;
  }

  /**
   * Whether a request that did not arrive over HTTPS may be served anyway: only in development mode, and only when
   * both the connection's peer and the client resolved through trusted proxies are loopback addresses.
   *
   * @param peer the connection's own remote address
   * @param client the client after trusted-proxy resolution
   */
  public boolean allowsPlainHttp(String peer, TrustedProxies.Client client) {
    return developmentMode && peer != null && client != null
        && TrustedProxies.isLoopback(peer) && TrustedProxies.isLoopback(client.address());
  }

  /**
   * The HTTPS address of the same resource: the host named by {@code hostHeader} (its port replaced by
   * {@link #httpsPort()}, left out when that is 443) followed by {@code pathAndQuery} unchanged.
   *
   * @param hostHeader the request's {@code Host} header
   * @param pathAndQuery the request target as sent: the still-encoded path, then {@code ?} and the query if any
   * @return empty when the host is not a plain host name or IP literal, or the target is not an absolute path made of
   *     visible ASCII; the request should then be refused rather than redirected
   */
  public Optional<String> httpsUrl(String hostHeader, String pathAndQuery) {
    if (hostHeader == null || pathAndQuery == null || !HOST.matcher(hostHeader).matches()
        || !pathAndQuery.startsWith("/") || pathAndQuery.length() > 8192) {
      return Optional.empty();
    }
    for (int i = 0; i < pathAndQuery.length(); i++) {
      char c = pathAndQuery.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return Optional.empty();
      }
    }
    String host = hostHeader;
    int portColon = host.lastIndexOf(':');
    if (portColon > host.lastIndexOf(']')) {
      host = host.substring(0, portColon);
    }
    String port = httpsPort == 443 ? "" : ":" + httpsPort;
    return Optional.of("https://" + host + port + pathAndQuery);
  }

  /** Collects transport settings; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private List<String> trustedProxies = List.of();
    private Duration hstsMaxAge = DEFAULT_HSTS_MAX_AGE;
    private boolean hstsIncludeSubDomains;
    private int httpsPort = 443;
    private boolean developmentMode;

    private Builder() {}

    /**
     * The reverse proxies whose {@code Forwarded} and {@code X-Forwarded-*} headers are believed, as IP addresses or
     * CIDR blocks ({@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8}). Replaces any earlier list.
     */
    public Builder trustedProxies(List<String> cidrs) {
      this.trustedProxies = cidrs == null ? null : new ArrayList<>(cidrs);
      return this;
    }

    /** As {@link #trustedProxies(List)}. */
    public Builder trustedProxies(String... cidrs) {
      return trustedProxies(cidrs == null ? null : List.of(cidrs));
    }

    /** HSTS max-age; zero tells browsers to forget an earlier HSTS policy. Fractions of a second are dropped. */
    public Builder hstsMaxAge(Duration hstsMaxAge) {
      this.hstsMaxAge = hstsMaxAge;
      return this;
    }

    /** Whether the HSTS policy also covers every subdomain of the portal's host. Off by default. */
    public Builder hstsIncludeSubDomains(boolean includeSubDomains) {
      this.hstsIncludeSubDomains = includeSubDomains;
      return this;
    }

    /** The port of the HTTPS listener that plain-HTTP requests are redirected to; 443 by default. */
    public Builder httpsPort(int httpsPort) {
      this.httpsPort = httpsPort;
      return this;
    }

    /**
     * Lets plain HTTP through from loopback clients, for a developer's own machine. Off by default; the filter logs a
     * warning when it is on.
     */
    public Builder developmentMode(boolean developmentMode) {
      this.developmentMode = developmentMode;
      return this;
    }

    /**
     * Checks the settings and returns the configuration.
     *
     * @throws IllegalStateException when a value is missing or out of range, or a trusted proxy is not an IP address
     *     or CIDR block
     */
    public TransportConfig build() {
      require(trustedProxies != null && trustedProxies.stream().allMatch(c -> c != null),
          "trusted proxies must be a list of IP addresses or CIDR blocks, without nulls");
      require(hstsMaxAge != null, "HSTS max-age is required (Duration.ZERO to switch browsers' HSTS off)");
      require(!hstsMaxAge.isNegative(), "HSTS max-age cannot be negative: " + hstsMaxAge);
      require(httpsPort >= 1 && httpsPort <= 65535, "HTTPS port must be between 1 and 65535: " + httpsPort);
      TrustedProxies proxies;
      try {
        proxies = trustedProxies.isEmpty() ? TrustedProxies.none() : TrustedProxies.of(trustedProxies);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      return new TransportConfig(this, proxies);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalStateException(message);
      }
    }
  }
}
