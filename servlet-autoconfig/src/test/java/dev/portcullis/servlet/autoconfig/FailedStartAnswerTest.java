package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: the filter's fail-closed answer, for a container that goes on calling it after its start failed, went
 * through {@code sendError}, so the container's own error page answered: on Jetty, an HTML page naming Jetty's version
 * and echoing the request's URL, with none of the security headers. (The {@code Server} header is the connector's
 * setting, which the container's owner turns off.) Jetty and Tomcat stop
 * such a context themselves; this container is one that does not (it keeps the filter after a failed {@code init}),
 * over real HTTP on Jetty.
 */
class FailedStartAnswerTest {
  /** A container's leniency: the filter's failed start is logged, not fatal, and requests still reach it. */
  static final class KeptAfterAFailedStart implements Filter {
    private final StartingFilter filter = new StartingFilter();
    private ServletException failure;

    @Override
    public void init(FilterConfig config) {
      try {
        filter.init(config);
      } catch (ServletException e) {
        failure = e;
      }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      filter.doFilter(request, response, chain);
    }
  }

  static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.getWriter().print("secret page");
    }
  }

  private final KeptAfterAFailedStart kept = new KeptAfterAFailedStart();
  private Server server;
  private ServerConnector connector;

  @BeforeEach
  void start() throws Exception {
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    // Without the initializer: the filter's start fails, as it does for any configuration mistake.
    context.addFilter(new FilterHolder(kept), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new Page()), "/*");
    server.setHandler(context);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  @Test
  void afterAFailedStart_every_request_getsAPlain503_notToBeStored_withTheSecurityHeaders()
      throws Exception {
    assertThat(kept.failure).as("the filter's start failed").isNotNull();
    for (String path : new String[] {"/secret", "/login", "/%3Cb%3Ehello"}) {
      HttpResponse<String> r = HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + connector.getLocalPort() + path))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(503);
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
      assertThat(r.headers().allValues("Content-Security-Policy"))
          .as(path)
          .containsExactly("frame-ancestors 'none'");
      assertThat(r.headers().firstValue("Referrer-Policy"))
          .as(path)
          .hasValue("strict-origin-when-cross-origin");
      assertThat(r.headers().firstValue("Content-Type"))
          .as(path)
          .hasValue("text/plain;charset=utf-8");
      assertThat(r.headers().allValues("Cache-Control")).as(path).containsExactly("no-store");
      assertThat(r.body()).as(path).isEqualTo("503 Service Unavailable\n");
    }
  }
}
