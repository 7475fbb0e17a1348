package dev.portcullis.examples.portal;

import dev.portcullis.servlet.PortcullisFilter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The pages Jetty writes by itself, for requests that never reach {@link PortcullisFilter} (a URI Jetty calls
 * ambiguous, an SNI name the certificate does not carry, a request it cannot parse) or that fail past it: the status
 * and its standard reason as plain text, nothing of the request (no URI, no message, no stack), and the security
 * headers the filter puts on every other response.
 *
 * <p>{@link #serverErrors()} goes on the {@code Server} and {@link #contextErrors()} on the servlet context; Jetty
 * picks the context's for requests it has matched to the context, the server's for the rest.
 */
final class PlainErrorPages {
  /** The headers of every error page: the filter's, plus a policy that allows nothing, and no caching. */
  private static final HttpField[] HEADERS = {
    new HttpField("X-Content-Type-Options", "nosniff"),
    new HttpField("X-Frame-Options", "DENY"),
    new HttpField("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    new HttpField("Referrer-Policy", "strict-origin-when-cross-origin"),
    new HttpField(HttpHeader.CACHE_CONTROL, "no-store"),
    new HttpField(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8"),
  };

  private final String hsts;

  /** @param hsts the {@code Strict-Transport-Security} value for secure requests, as the filter sends it */
  PlainErrorPages(String hsts) {
    this.hsts = hsts;
  }

  /** The handler for the {@code Server}: also answers requests Jetty could not parse. */
  ErrorHandler serverErrors() {
    return new ErrorHandler() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return writePlain(request, response, callback);
      }

      @Override
      public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        put(fields, false);
        return body(status);
      }
    };
  }

  /** The handler for the servlet context: errors the application raised, and URIs the context refused. */
  ErrorHandler contextErrors() {
    return new org.eclipse.jetty.ee10.servlet.ErrorHandler() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return writePlain(request, response, callback);
      }
    };
  }

  private boolean writePlain(Request request, Response response, Callback callback) {
    if (request.getAttribute(ErrorHandler.ERROR_EXCEPTION) instanceof HttpException http) {
      response.setStatus(http.getCode());
    }
    int status = response.getStatus();
    // The connection, not request.isSecure(): Jetty takes that from the scheme of the request's
    // URI, which an absolute-form target (GET https://host/path) names even over plain HTTP.
    put(response.getHeaders(), request.getConnectionMetaData().isSecure());
    boolean noBody = HttpStatus.hasNoBody(status) || "HEAD".equals(request.getMethod());
    response.write(true, noBody ? ByteBuffer.allocate(0) : body(status), callback);
    return true;
  }

  private void put(HttpFields.Mutable fields, boolean secure) {
    for (HttpField f : HEADERS) {
      fields.put(f);
    }
    if (secure) {
      fields.put(HttpHeader.STRICT_TRANSPORT_SECURITY, hsts);
    }
  }

  /** "400 Bad Request": the status and the standard reason, never the request's own words. */
  private static ByteBuffer body(int status) {
    String reason = HttpStatus.getMessage(status);
    return ByteBuffer.wrap((status + " " + (reason == null ? "Error" : reason) + "\n")
        .getBytes(StandardCharsets.UTF_8));
  }
}
