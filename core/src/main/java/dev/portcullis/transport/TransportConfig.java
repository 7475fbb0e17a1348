package dev.portcullis.transport;

import dev.portcullis.transport.internal.TrustedProxies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the portal treats the connection a request arrived on: which proxies may say the client used HTTPS, how long
 * browsers should remember to use HTTPS only (HSTS), what happens to plain-HTTP requests, and whether a developer's
 * own machine may use plain HTTP. Immutable; made by {@link #builder()}, which checks the values in
 * {@link Builder#build()}.
 *
 * <p>Plain HTTP is never served (outside development mode). A plain-HTTP {@code GET} or {@code HEAD} is either
 * redirected to the portal's configured {@link Builder#canonicalHost(String) canonical host} over HTTPS, or, by an
 * explicit {@link Builder#redirectPlainHttp(boolean) choice}, refused with {@code 403} like every other plain-HTTP
 * request. A builder that redirects needs the canonical host: {@code build()} refuses to guess it, except in
 * development mode, where it is {@code localhost}. {@link #defaults()} refuses plain HTTP, since it knows no host.
 *
 * <p>Defaults: no trusted proxy (forwarding headers are ignored), both kinds of forwarding header read from a
 * trusted proxy ({@link ForwardedHeaders#BOTH}), HSTS for one year without
 * {@code includeSubDomains}, HTTPS on port 443, development mode off, the container's own view of HTTPS not believed.
 *
 * <p><b>Security.</b> A request is secure only when its own network connection is TLS or when a configured trusted
 * proxy says so; nothing a client sends directly can make it secure. The connection is what the servlet container
 * says of it ({@code ServletRequest.getServletConnection().isSecure()}), not the request's scheme: a container's
 * {@code isSecure()} may follow the scheme of an absolute-form request target ({@code GET https://portal/login} sent
 * over plain HTTP, as Jetty 12 does) or its own forwarded-header handling, and neither can be told apart from a
 * client's claim. A deployment whose container handles the proxy in front can let the container decide, by an
 * explicit {@link Builder#containerDecidesHttps(boolean) choice}, when its plain port is reachable from that proxy
 * alone. The redirect's address comes from this configuration only,
 * never from the request's {@code Host} header, so a forged {@code Host} cannot make the portal (or a cache in front
 * of it) send a browser elsewhere. Development mode lets plain HTTP through only when both the connection's peer and
 * the resolved client are loopback addresses, so it never opens the portal to the network, but it is still meant for
 * a developer's machine only. What is not covered: the first plain-HTTP request of a browser that has not yet seen the
 * HSTS header travels unprotected before it is redirected.
 */
public final class TransportConfig {
  /** The HSTS max-age used when none is configured: one year. */
  public static final Duration DEFAULT_HSTS_MAX_AGE = Duration.ofDays(365);
  /** The canonical host in development mode when none is configured. */
  public static final String DEVELOPMENT_HOST = "localhost";

  // RFC 3986 reg-name limited to letters, digits, '.' and '-' (a DNS name), without a port.
  // Anything else (userinfo, percent-escapes, sub-delims) is refused rather than copied into a
  // Location header.
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

  private final List<String> trustedProxies;
  private final ForwardedHeaders forwardedHeaders;
  private final Duration hstsMaxAge;
  private final boolean hstsIncludeSubDomains;
  private final int httpsPort;
  private final boolean developmentMode;
  private final boolean containerDecidesHttps;
  private final boolean containerDecidesHttpsChosen;
  /** {@code https://host[:port]}, or null when plain HTTP is refused rather than redirected. */
  private final String httpsOrigin;

  private final String canonicalHost;

  private TransportConfig(Builder b, String canonicalHost) {
    this.trustedProxies = List.copyOf(b.trustedProxies);
    this.forwardedHeaders = b.forwardedHeaders;
    this.hstsMaxAge = Duration.ofSeconds(b.hstsMaxAge.getSeconds());
    this.hstsIncludeSubDomains = b.hstsIncludeSubDomains;
    this.httpsPort = b.httpsPort;
    this.developmentMode = b.developmentMode;
    this.containerDecidesHttps = Boolean.TRUE.equals(b.containerDecidesHttps);
    this.containerDecidesHttpsChosen = b.containerDecidesHttps != null;
    this.canonicalHost = canonicalHost;
    this.httpsOrigin = b.redirectPlainHttp
        ? "https://" + canonicalHost + (httpsPort == 443 ? "" : ":" + httpsPort)
        : null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The configuration with every default: HTTPS required, no trusted proxy, and plain-HTTP requests refused with
   * {@code 403} (a redirect needs a canonical host, which only the builder can be given).
   */
  public static TransportConfig defaults() {
    return builder().redirectPlainHttp(false).build();
  }

  /** The trusted proxies as configured: IP addresses and CIDR blocks, each checked by {@link Builder#build()}. */
  public List<String> trustedProxies() {
    return trustedProxies;
  }

  /** Which forwarding headers are read from a trusted proxy: {@link Builder#forwardedHeaders(ForwardedHeaders)}. */
  public ForwardedHeaders forwardedHeaders() {
    return forwardedHeaders;
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
   * Whether the servlet container's own {@code isSecure()} decides whether a request arrived over HTTPS ({@code
   * true}: see {@link Builder#containerDecidesHttps(boolean)}), rather than the encryption of the request's network
   * connection ({@code false}, the default).
   */
  public boolean containerDecidesHttps() {
    return containerDecidesHttps;
  }

  /**
   * Whether {@link Builder#containerDecidesHttps(boolean)} was called, either way. An adapter that sees the container
   * rewrite requests from forwarding headers (Jetty's {@code ForwardedRequestCustomizer}, Dropwizard's {@code
   * useForwardedHeaders}) refuses to start until it was: left unsaid, the default would silently turn the proxy's
   * HTTPS requests into plain ones, and saying {@code true} is a statement about who can reach the plain-HTTP port.
   */
  public boolean containerDecidesHttpsChosen() {
    return containerDecidesHttpsChosen;
  }

  /** What this configuration means beside a container that rewrites requests from forwarding headers. */
  public ContainerForwarding containerForwarding() {
    return ContainerForwarding.of(
        containerDecidesHttpsChosen,
        containerDecidesHttps,
        !trustedProxies().isEmpty(),
        developmentMode);
  }

  /** Whether plain-HTTP {@code GET}/{@code HEAD} requests are redirected to HTTPS (otherwise they are refused). */
  public boolean redirectsPlainHttp() {
    return httpsOrigin != null;
  }

  /** The host plain-HTTP requests are redirected to; empty when they are refused instead. */
  public Optional<String> canonicalHost() {
    return Optional.ofNullable(canonicalHost);
  }

  /**
   * Whether a request that did not arrive over HTTPS may be served anyway: only in development mode, and only when
   * both the connection's peer and the client resolved through trusted proxies are loopback addresses.
   *
   * @param peer the connection's own remote address
   * @param clientAddress the client's address after trusted-proxy resolution
   */
  public boolean allowsPlainHttp(String peer, String clientAddress) {
    return developmentMode
        && peer != null
        && clientAddress != null
        && isLoopback(peer)
        && isLoopback(clientAddress);
  }

  private static boolean isLoopback(String address) {
    IpAddress a = IpAddress.parseOrNull(address);
    return a != null && a.isLoopback();
  }

  /**
   * The HTTPS address of a resource on the canonical host: {@code https://}, the {@link #canonicalHost() canonical
   * host}, the {@link #httpsPort() port} unless it is 443, then {@code pathAndQuery} unchanged. Nothing of the request
   * but its target goes into it.
   *
   * @param pathAndQuery the request target as sent: the still-encoded path, then {@code ?} and the query if any
   * @return empty when plain HTTP is refused rather than redirected, or the target is not an absolute path made of
   *     visible ASCII; the request should then be refused
   */
  public Optional<String> httpsUrl(String pathAndQuery) {
    if (httpsOrigin == null
        || pathAndQuery == null
        || !pathAndQuery.startsWith("/")
        || pathAndQuery.length() > 8192) {
      return Optional.empty();
    }
    for (int i = 0; i < pathAndQuery.length(); i++) {
      char c = pathAndQuery.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return Optional.empty();
      }
    }
    return Optional.of(httpsOrigin + pathAndQuery);
  }

  /** Collects transport settings; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private List<String> trustedProxies = List.of();
    private ForwardedHeaders forwardedHeaders = ForwardedHeaders.BOTH;
    private Duration hstsMaxAge = DEFAULT_HSTS_MAX_AGE;
    private boolean hstsIncludeSubDomains;
    private int httpsPort = 443;
    private boolean developmentMode;
    private String canonicalHost;
    private boolean redirectPlainHttp = true;
    /** Null until {@link #containerDecidesHttps(boolean)} is called: not believed, and not chosen either. */
    private Boolean containerDecidesHttps;

    private Builder() {}

    /**
     * The reverse proxies whose {@code Forwarded} and {@code X-Forwarded-*} headers are believed, as IP addresses or
     * CIDR blocks ({@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8}). Replaces any earlier list. {@link #build()}
     * refuses a list that holds, all entries together, more public address space than a {@code /11} of IPv4 or a
     * {@code /24} of IPv6: a client inside a trusted range chooses its own address and whether it used HTTPS. Private,
     * shared ({@code 100.64.0.0/10}), loopback, link-local and unique-local ranges may be of any size.
     */
    public Builder trustedProxies(List<String> cidrs) {
      this.trustedProxies = cidrs == null ? null : new ArrayList<>(cidrs);
      return this;
    }

    /** As {@link #trustedProxies(List)}. */
    public Builder trustedProxies(String... cidrs) {
      return trustedProxies(cidrs == null ? null : List.of(cidrs));
    }

    /**
     * Which forwarding headers the {@link #trustedProxies(List) trusted proxies} write, and so which ones are read
     * from them: {@link ForwardedHeaders#X_FORWARDED} ({@code X-Forwarded-For}/{@code X-Forwarded-Proto} only, a
     * {@code Forwarded} header ignored), {@link ForwardedHeaders#FORWARDED} ({@code Forwarded} only) or {@link
     * ForwardedHeaders#BOTH} (the default: either, and a request with both is believed only when they agree). Name the
     * kind the proxy writes when it passes the other on as clients send it.
     */
    public Builder forwardedHeaders(ForwardedHeaders which) {
      this.forwardedHeaders = which;
      return this;
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

    /**
     * The portal's own host name (or IP address), as in its certificate: plain-HTTP requests are redirected to
     * {@code https://<host>[:httpsPort]} followed by the request's path and query. No port here (see
     * {@link #httpsPort(int)}), no scheme, no path. Required when plain HTTP is redirected, except in development mode.
     */
    public Builder canonicalHost(String host) {
      this.canonicalHost = host;
      return this;
    }

    /**
     * Whether plain-HTTP {@code GET}/{@code HEAD} requests are redirected to HTTPS on the canonical host ({@code
     * true}, the builder's default) or refused with {@code 403} like every other plain-HTTP request ({@code false}:
     * for a portal whose plain-HTTP port is closed anyway, or answered by a proxy).
     */
    public Builder redirectPlainHttp(boolean redirect) {
      this.redirectPlainHttp = redirect;
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
     * Whether the servlet container's own {@code isSecure()} decides that a request arrived over HTTPS, for a
     * deployment whose container handles the TLS-terminating proxy in front of it: Jetty's {@code
     * ForwardedRequestCustomizer}, Tomcat's {@code RemoteIpValve}, Spring Boot's {@code
     * server.forward-headers-strategy} ({@code native} or {@code framework}). Off by default: a request is then
     * secure only when its own network connection is TLS ({@code ServletConnection.isSecure()}) or a {@link
     * #trustedProxies(List) trusted proxy} says so, and a request the container calls secure on a plain connection is
     * treated as plain HTTP, with a warning logged once.
     *
     * <p><b>Only when the plain-HTTP port is reachable from the proxy alone.</b> The container's answer cannot be told
     * apart from a client's claim: Jetty takes it from the scheme of an absolute-form request target ({@code GET
     * https://portal/login} over plain HTTP), and forwarded-header handling from headers that any client reaching the
     * port can send. Prefer {@link #trustedProxies(List)}, which believes only the proxies' addresses, with the
     * container's own forwarded-header handling switched off.
     *
     * <p>Calling it with {@code false} says so explicitly ({@link TransportConfig#containerDecidesHttpsChosen()}),
     * which the Dropwizard bundle and the Javalin plugin require when the container's forwarded-header handling is on.
     */
    public Builder containerDecidesHttps(boolean containerDecides) {
      this.containerDecidesHttps = containerDecides;
      return this;
    }

    /**
     * Checks the settings and returns the configuration.
     *
     * @throws IllegalStateException when a value is missing or out of range, a trusted proxy is not an IP address
     *     or CIDR block, or plain HTTP is redirected but no canonical host is set (outside development mode)
     */
    public TransportConfig build() {
      require(
          trustedProxies != null && trustedProxies.stream().allMatch(c -> c != null),
          "trusted proxies must be a list of IP addresses or CIDR blocks, without nulls");
      require(
          forwardedHeaders != null,
          "forwarded headers must be one of x-forwarded, forwarded or both (the default)");
      require(
          hstsMaxAge != null,
          "HSTS max-age is required (Duration.ZERO to switch browsers' HSTS off)");
      require(!hstsMaxAge.isNegative(), "HSTS max-age cannot be negative: " + hstsMaxAge);
      require(
          httpsPort >= 1 && httpsPort <= 65535,
          "HTTPS port must be between 1 and 65535: " + httpsPort);
      try {
        TrustedProxies.of(trustedProxies);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      String host = hostForRedirect(canonicalHost);
      if (redirectPlainHttp && host == null) {
        require(
            developmentMode,
            "plain-HTTP requests are redirected to HTTPS, which needs the portal's canonical host:"
                + " set canonicalHost(\"portal.example\") (the name in its certificate; httpsPort(...) unless 443), or"
                + " redirectPlainHttp(false) to refuse plain HTTP with 403; on a developer's own machine only,"
                + " developmentMode(true) serves plain HTTP to loopback clients. The redirect is never built from the"
                + " request's Host header.");
        host = DEVELOPMENT_HOST;
      }
      return new TransportConfig(this, host);
    }

    /** The host as it goes into the redirect (an IPv6 address in brackets), or null when none is set. */
    private static String hostForRedirect(String host) {
      if (host == null) {
        return null;
      }
      String h = host.strip();
      String bare = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
      IpAddress ip = IpAddress.parseOrNull(bare);
      if (ip != null) {
        return ip.isIpv4() ? ip.toString() : "[" + ip + "]";
      }
      require(
          HOST_NAME.matcher(h).matches(),
          "the canonical host must be a host name or IP address, without scheme,"
              + " port or path (the port is httpsPort(...)): '" + host + "'");
      require(
          !h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')),
          "the canonical host '" + host
              + "' looks like an IPv4 address but is not one (no leading zeros)");
      return h.toLowerCase(Locale.ROOT);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalStateException(message);
      }
    }
  }
}
