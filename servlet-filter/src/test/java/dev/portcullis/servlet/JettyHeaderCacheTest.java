package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.servlet.testing.TestJetty;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * Pins a container hazard that broke cookie integrity in testing: on one keep-alive connection, Jetty 12's default
 * header cache hands the application a {@code Cookie} header that differs from an earlier one only in letter case
 * as the earlier value. Base64url cookies are case-sensitive, so a changed cookie would be seen as the original.
 * The README tells Jetty users to set {@code HttpConfiguration.setHeaderCacheCaseSensitive(true)}.
 */
class JettyHeaderCacheTest {
  private static final String[] SENT = {"a=AbCdEf", "a=abCdEf", "a=AbCdEf", "a=ABCDEF"};

  private static List<String> received(ServerConnector connector, Server server) throws Exception {
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.addServlet(
        new ServletHolder(new HttpServlet() {
          private static final long serialVersionUID = 1L;

          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            resp.getWriter().print(req.getHeader("Cookie"));
          }
        }),
        "/*");
    server.setHandler(ctx);
    server.start();
    try {
      HttpClient client =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
      List<String> got = new ArrayList<>();
      for (String cookie : SENT) {
        got.add(client
            .send(
                HttpRequest.newBuilder(uri).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
      }
      return got;
    } finally {
      server.stop();
    }
  }

  @Test
  void caseSensitiveHeaderCache_deliversEveryCookieHeaderExactly() throws Exception {
    Server server = new Server();
    assertThat(received(TestJetty.loopbackConnector(server), server)).containsExactly(SENT);
  }

  /** If this starts failing, Jetty changed its default: revisit the README's container note. */
  @Test
  void defaultHeaderCache_conflatesCookieHeadersDifferingInCase() throws Exception {
    Server server = new Server();
    ServerConnector plain = new ServerConnector(server);
    plain.setHost("127.0.0.1");
    assertThat(received(plain, server))
        .containsExactly("a=AbCdEf", "a=AbCdEf", "a=AbCdEf", "a=AbCdEf");
  }
}
