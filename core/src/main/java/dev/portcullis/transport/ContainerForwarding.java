package dev.portcullis.transport;

/**
 * What a servlet container that rewrites requests from forwarding headers (Jetty's {@code ForwardedRequestCustomizer},
 * Dropwizard's {@code useForwardedHeaders}, Spring Boot's {@code server.forward-headers-strategy}) means for a
 * transport configuration, as {@link TransportConfig#containerForwarding()} and {@link #of} answer. The adapters
 * (the Dropwizard bundle, the Javalin plugin, the Spring Boot starter) act on the answer in their own words; the
 * decision is made here only.
 *
 * <p><b>Security.</b> Such a container takes the client's address from {@code X-Forwarded-For} (Jetty and Spring's
 * filter take the left-most value, which the client writes) and its scheme from {@code X-Forwarded-Proto} or {@code
 * Forwarded}. Beside trusted proxies a client could then pass for a listed proxy, and in development mode for
 * loopback: both are refused whatever else is set. Otherwise the configuration must say, either way, whether the
 * container's view of HTTPS is believed.
 */
public enum ContainerForwarding {
  /** Refused: a client could pass for one of the trusted proxies and have its forwarded scheme believed. */
  REFUSED_BESIDE_TRUSTED_PROXIES,

  /** Refused: in development mode a client could pass for loopback and be served over plain HTTP. */
  REFUSED_IN_DEVELOPMENT_MODE,

  /** Not said whether the container's view of HTTPS is believed: the adapter refuses to start (or warns). */
  UNDECIDED,

  /** The container's view of HTTPS is believed ({@code containerDecidesHttps(true)}): start, and say so. */
  BELIEVED,

  /** The container's view of HTTPS is ignored ({@code containerDecidesHttps(false)}): start, with a warning. */
  IGNORED;

  /**
   * The answer for a container that forwards.
   *
   * @param chosen whether {@code containerDecidesHttps} was set, either way
   * @param believed what it was set to
   * @param trustedProxies whether trusted proxies are listed
   * @param developmentMode whether development mode is on
   */
  public static ContainerForwarding of(
      boolean chosen, boolean believed, boolean trustedProxies, boolean developmentMode) {
    if (trustedProxies) {
      return REFUSED_BESIDE_TRUSTED_PROXIES;
    }
    if (developmentMode) {
      return REFUSED_IN_DEVELOPMENT_MODE;
    }
    if (!chosen) {
      return UNDECIDED;
    }
    return believed ? BELIEVED : IGNORED;
  }
}
