package dev.portcullis.transport;

/**
 * Which forwarding headers a {@linkplain TransportConfig.Builder#trustedProxies(java.util.List) trusted proxy} writes,
 * and so which ones are read from it: {@link TransportConfig.Builder#forwardedHeaders(ForwardedHeaders)}. The adapters'
 * settings spell the values {@code x-forwarded}, {@code forwarded} and {@code both}.
 *
 * <p><b>Security.</b> A proxy writes one kind and passes the other on as the client sent it. Naming the kind the proxy
 * writes makes the other one ignored, whatever a client puts in it. {@link #BOTH}, the default, reads both and
 * believes a request that carries both kinds only when they name the same client and scheme; otherwise it counts as
 * the proxy's own request, and the disagreement is audited ({@code forwarded_headers_conflict}).
 */
public enum ForwardedHeaders {
  /**
   * The proxy writes {@code X-Forwarded-For} and {@code X-Forwarded-Proto} (nginx, HAProxy, most load balancers):
   * only they are read, and a {@code Forwarded} header is ignored entirely.
   */
  X_FORWARDED,

  /** The proxy writes {@code Forwarded} (RFC 7239): only it is read, and {@code X-Forwarded-*} headers are ignored. */
  FORWARDED,

  /**
   * Either kind is read; a request that carries both is believed only when they name the same client and scheme, and
   * is otherwise the proxy's own request. The default.
   */
  BOTH;

  /** The value as the adapters' settings spell it: {@code x-forwarded}, {@code forwarded} or {@code both}. */
  public String settingValue() {
    return switch (this) {
      case X_FORWARDED -> "x-forwarded";
      case FORWARDED -> "forwarded";
      case BOTH -> "both";
    };
  }
}
