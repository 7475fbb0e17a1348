package dev.portcullis.servlet.internal;

import dev.portcullis.transport.TransportConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The error responses an embedded Jetty sends itself, for the adapters that start Jetty (Javalin, Dropwizard, Spring
 * Boot's embedded Jetty): a request Jetty refuses before any filter runs (a malformed request line, an ambiguous URI,
 * headers too large, a bad {@code Host}, an unknown {@code Transfer-Encoding}) is answered by Jetty's error handler,
 * whose page names Jetty's version and repeats Jetty's reason, which can quote the request, and carries none of the
 * headers the filter puts on every other response.
 *
 * <p>{@link #install} replaces the server's error handler with one that answers every such request with the status
 * Jetty chose, the {@link SecurityHeaders} of the filter's transport configuration ({@code Strict-Transport-Security}
 * when the connection is encrypted), {@code Cache-Control: no-store} and a plain-text body of the status code and its
 * standard reason phrase ({@link ContainerErrorBody}), nothing else; and it turns off the {@code Server} and {@code
 * X-Powered-By} headers on every connector, including connectors added later. An error handler the application set on
 * the server itself (any {@link Request.Handler} that is not one of Jetty's {@link ErrorHandler}s) still writes the
 * status and body, after the headers are put on the response; what it writes is the application's to keep plain.
 *
 * <p>Jetty is not a dependency of this module: only a caller that runs on Jetty loads this class.
 */
public final class JettyErrorPages {
  private JettyErrorPages() {}

  /** Makes {@code server}'s own error responses plain and gives them the security headers of {@code transport}. */
  public static void install(Server server, TransportConfig transport) {
    SecurityHeaders headers = SecurityHeaders.of(transport);
    install(server, () -> headers);
  }

  /**
   * As {@link #install(Server, TransportConfig)}, with the headers read at the first error response and kept: for
   * an adapter that configures the server before the filter is built (Spring Boot). Until they can be read, error
   * responses get the headers of every response and no {@code Strict-Transport-Security}.
   */
  public static void install(Server server, Supplier<SecurityHeaders> headers) {
    Objects.requireNonNull(headers, "headers");
    Request.Handler current = server.getErrorHandler();
    // Jetty's own handlers write Jetty's page; an application's own handler writes the
    // application's.
    Request.Handler application = current instanceof ErrorHandler ? null : current;
    server.setErrorHandler(new PlainErrorHandler(headers, application));
    JettyHeaderCache.eachHttpConfiguration(server, http -> {
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
    });
  }

  /**
   * Jetty's error handler for requests outside any servlet context. Extends Jetty's own so that code looking for an
   * {@link ErrorHandler} finds one; every response goes through {@link #handle}.
   */
  static final class PlainErrorHandler extends ErrorHandler {
    private final Supplier<SecurityHeaders> headers;
    private final Request.Handler application;

    PlainErrorHandler(Supplier<SecurityHeaders> headers, Request.Handler application) {
      this.headers = Objects.requireNonNull(headers, "headers");
      this.application = application;
      setShowStacks(false);
      setShowCauses(false);
      setShowMessageInTitle(false);
      setShowOrigin(false);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      int status =
          request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
      if (status < HttpStatus.BAD_REQUEST_400 || status > 599) {
        status = HttpStatus.INTERNAL_SERVER_ERROR_500;
      }
      response.setStatus(status);
      HttpFields.Mutable fields = response.getHeaders();
      fields.remove("Content-Security-Policy");
      SecurityHeaders.writeEveryResponse(fields::put);
      // The connection's own encryption, never the request's scheme, which an absolute-form request
      // line names.
      if (request.getConnectionMetaData().isSecure()) {
        SecurityHeaders.strictTransportSecurity(headers)
            .ifPresent(hsts -> fields.put(hsts.name(), hsts.value()));
      }
      fields.put(HttpHeader.CACHE_CONTROL, "no-store");
      if (application != null) {
        return application.handle(request, response, callback);
      }
      fields.remove(HttpHeader.CONTENT_ENCODING);
      byte[] body = "HEAD".equals(request.getMethod())
          ? new byte[0]
          : ContainerErrorBody.text(status).getBytes(StandardCharsets.US_ASCII);
      fields.put(HttpHeader.CONTENT_TYPE, ContainerErrorBody.CONTENT_TYPE);
      if (!"HEAD".equals(request.getMethod())) {
        fields.put(HttpHeader.CONTENT_LENGTH, body.length);
      }
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      SecurityHeaders.writeEveryResponse(fields::put);
      fields.put(HttpHeader.CACHE_CONTROL, "no-store");
      fields.put(HttpHeader.CONTENT_TYPE, ContainerErrorBody.CONTENT_TYPE);
      return ByteBuffer.wrap(ContainerErrorBody.text(status).getBytes(StandardCharsets.US_ASCII));
    }
  }
}
