package dev.portcullis.examples.portal;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Callback;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The provider portal example. Until the portal issue lands this starts Jetty on loopback and serves a page that
 * says what is coming.
 */
public final class ProviderPortal {
  private ProviderPortal() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORTAL_HTTP_PORT", "8080"));
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new ContextHandler(new Handler.Abstract() {
      @Override
      public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.write(true, ByteBuffer.wrap(
            "Portcullis provider portal: coming soon (login, reports, search, audit).\n"
                .getBytes(StandardCharsets.UTF_8)), callback);
        return true;
      }
    }, "/"));
    server.start();
    System.out.println("Provider portal placeholder on http://127.0.0.1:" + port + "/ (Ctrl-C to stop)");
    server.join();
  }
}
