package dev.portcullis.examples.portal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Stands in for the filter's transport stage until it is merged: on the plain-HTTP connector, {@code GET} and
 * {@code HEAD} get a 308 to the same path on HTTPS and every other method a 403 (the body is never read, so a form
 * sent over plain HTTP goes nowhere). HTTPS responses get the basic security headers the stage will add (no HSTS: on
 * {@code localhost} it would follow the developer to every other local project).
 *
 * <p>To be deleted once {@code PortcullisFilter.Builder.transport(TransportConfig)} exists; see the README.
 */
final class InterimTransport extends Handler.Wrapper {
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}");
  private final IntSupplier httpsPort;

  /** @param httpsPort the HTTPS connector's port, asked per request (it is only known once the server is started) */
  InterimTransport(Handler next, IntSupplier httpsPort) {
    super(next);
    this.httpsPort = httpsPort;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (request.isSecure()) {
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      response.getHeaders().put("X-Frame-Options", "DENY");
      response.getHeaders().put("Referrer-Policy", "same-origin");
      return super.handle(request, response, callback);
    }
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      plain(response, callback, HttpStatus.FORBIDDEN_403, "This portal only accepts forms over HTTPS.");
      return true;
    }
    String host = Request.getServerName(request);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (!HOST.matcher(host).matches()) {
      plain(response, callback, HttpStatus.BAD_REQUEST_400, "Bad request.");
      return true;
    }
    int port = httpsPort.getAsInt();
    String location = "https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
        + (port == 443 ? "" : ":" + port) + request.getHttpURI().getPathQuery();
    Response.sendRedirect(request, response, callback, HttpStatus.PERMANENT_REDIRECT_308, location, false);
    return true;
  }

  private static void plain(Response response, Callback callback, int status, String text) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.write(true, ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), callback);
  }
}
