package dev.portcullis.servlet.internal;

import dev.portcullis.transport.TransportConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The security headers Portcullis puts on responses, with the values one {@link TransportConfig} gives them: the one
 * list that the filter writes on every response it passes and that the adapters which start a server themselves
 * write on the server's own error responses (the ones it sends before any filter runs), so the two cannot drift
 * apart.
 *
 * <p><b>Security.</b> {@link #everyResponse()} is safe on any response. {@link #strictTransportSecurity()} belongs
 * on responses sent over an encrypted connection only (RFC 6797 8.1); the caller decides that from the connection,
 * never from the request's scheme or a header.
 */
public final class SecurityHeaders {
  /** The {@code Content-Security-Policy} directive that forbids framing the portal. */
  public static final String FRAME_ANCESTORS = "frame-ancestors 'none'";

  /** Other sites learn the portal's origin but never a path or query. */
  public static final String REFERRER_POLICY = "strict-origin-when-cross-origin";

  /** One header: its name and value. */
  public record Header(String name, String value) {
    public Header {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  private static final List<Header> EVERY_RESPONSE = List.of(
      new Header("X-Content-Type-Options", "nosniff"),
      new Header("X-Frame-Options", "DENY"),
      new Header("Content-Security-Policy", FRAME_ANCESTORS),
      new Header("Referrer-Policy", REFERRER_POLICY));

  private final Header hsts;

  private SecurityHeaders(Header hsts) {
    this.hsts = hsts;
  }

  /** The headers with the values {@code transport} gives them (the HSTS lifetime and its subdomain flag). */
  public static SecurityHeaders of(TransportConfig transport) {
    Objects.requireNonNull(transport, "transport");
    return new SecurityHeaders(new Header(
        "Strict-Transport-Security",
        "max-age=" + transport.hstsMaxAge().getSeconds()
            + (transport.hstsIncludeSubDomains() ? "; includeSubDomains" : "")));
  }

  /**
   * The headers for every response, whatever the connection and the configuration: {@code X-Content-Type-Options}, {@code X-Frame-Options},
   * {@code Content-Security-Policy} (the frame-ancestors policy) and {@code Referrer-Policy}, in that order.
   */
  public static List<Header> everyResponse() {
    return EVERY_RESPONSE;
  }

  /**
   * Writes the headers of {@link #everyResponse()}, in that order, onto a response or its header fields through
   * {@code setHeader}, called once a header with its name and value: how the servers' own error pages write them (the
   * transport stage has a loop of its own, without a lambda on every request). {@code setHeader} decides how a header already on the target is treated (replaced, or kept beside it).
   */
  public static void writeEveryResponse(BiConsumer<String, String> setHeader) {
    Objects.requireNonNull(setHeader, "setHeader");
    for (Header header : EVERY_RESPONSE) {
      setHeader.accept(header.name(), header.value());
    }
  }

  /**
   * The {@code Strict-Transport-Security} header of the headers {@code later} gives, or empty while it cannot give
   * them (a server that answers before the application has built its filter).
   */
  public static Optional<Header> strictTransportSecurity(Supplier<SecurityHeaders> later) {
    try {
      SecurityHeaders headers = later.get();
      return headers == null ? Optional.empty() : Optional.of(headers.strictTransportSecurity());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * A supplier that asks {@code compute} until it first gives headers, and keeps those; for an adapter that configures
   * a server before the filter whose configuration they come from is built.
   */
  public static Supplier<SecurityHeaders> once(Supplier<SecurityHeaders> compute) {
    Objects.requireNonNull(compute, "compute");
    return new Supplier<>() {
      private volatile SecurityHeaders value;

      @Override
      public SecurityHeaders get() {
        SecurityHeaders v = value;
        if (v == null) {
          v = compute.get();
          value = v;
        }
        return v;
      }
    };
  }

  /** {@code Strict-Transport-Security}, for responses sent over an encrypted connection only. */
  public Header strictTransportSecurity() {
    return hsts;
  }
}
