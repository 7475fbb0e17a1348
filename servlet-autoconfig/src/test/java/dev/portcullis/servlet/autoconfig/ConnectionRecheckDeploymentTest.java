package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.testing.BrowserSocket;
import dev.portcullis.servlet.testing.FeedSocket;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis.login.connection-recheck-interval} in a deployment on a real Jetty: the WebSocket of a user whose
 * account the application disables is closed by the re-check at the interval set, without a request or a logout;
 * a value outside 1 s to 1 h, or one that does not parse, fails the deployment naming the setting.
 */
class ConnectionRecheckDeploymentTest {
  /** Far longer than the 1 s interval, far shorter than the 30 s default. */
  private static final long WAIT_SECONDS = 10;

  @TempDir
  Path dir;

  @Test
  void aOneSecondInterval_closesTheSocketOfADisabledAccount_withoutARequest() throws Exception {
    InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
        .add(
            "alice",
            "alice-pw".toCharArray(),
            new PortalUser(
                "u-alice",
                "Alice Adams",
                "alice@riverside.example",
                Set.of("PROVIDER"),
                "riverside",
                true,
                WarNode.TERMS));
    try (Deployment war = Deployment.start(
        WarNode.environment(dir, Map.of("PORTCULLIS_LOGIN_CONNECTION_RECHECK_INTERVAL", "1s")),
        users)) {
      TestBrowser alice = new TestBrowser(war.base());
      assertThat(WarNode.logIn(alice).statusCode()).isEqualTo(303);
      BrowserSocket feed = open(war, alice, "/feed/news");
      assertThat(feed.firstMessage()).isEqualTo("hello u-alice");

      users.update("u-alice", u -> u.withEnabled(false));

      assertThat(feed.awaitClose()).isEqualTo("1008 " + OpenConnections.CLOSE_REASON);
    }
  }

  @Test
  void anIntervalOutsideOneSecondToOneHour_failsTheDeployment_namingTheSetting() throws Exception {
    for (String outside : new String[] {"999ms", "3601s", "0s"}) {
      Throwable failure = catchThrowable(() -> Deployment.start(
          WarNode.environment(dir, Map.of("PORTCULLIS_LOGIN_CONNECTION_RECHECK_INTERVAL", outside)),
          new InMemoryUserDirectory(PasswordHasher.forTests())));

      assertThat(failure)
          .as(outside)
          .hasMessageContaining("(1 mistake)")
          .hasMessageContaining("portcullis.login.connection-recheck-interval (environment variable"
              + " PORTCULLIS_LOGIN_CONNECTION_RECHECK_INTERVAL) is not valid: expected a duration from"
              + " 1s to 1h")
          .message()
          .doesNotContain(outside);
    }
    Throwable malformed = catchThrowable(() -> Deployment.start(
        WarNode.environment(dir, Map.of("PORTCULLIS_LOGIN_CONNECTION_RECHECK_INTERVAL", "often")),
        new InMemoryUserDirectory(PasswordHasher.forTests())));
    assertThat(malformed)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining("portcullis.login.connection-recheck-interval")
        .hasMessageContaining("expected a duration with its unit")
        .message()
        .doesNotContain("often");
  }

  /** The WAR: Portcullis from the initializer, the application's directory, its pages and a WebSocket at /feed. */
  private static final class Deployment implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    static Deployment start(Map<String, String> environment, InMemoryUserDirectory users)
        throws Exception {
      Deployment war = new Deployment();
      war.connector.setHost("127.0.0.1");
      war.server.addConnector(war.connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.addServletContainerInitializer(new PortcullisInitializer(
          null, environment, InstantSource.fixed(Instant.parse("2026-12-01T00:00:00Z"))));
      context.addEventListener(new ServletContextListener() {
        @Override
        public void contextInitialized(ServletContextEvent event) {
          event
              .getServletContext()
              .setAttribute(PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE, users);
        }
      });
      JettyWebSocketServletContainerInitializer.configure(context, null);
      context.addServlet(new ServletHolder(new WarNode.Page()), "/*");
      context.addServlet(new ServletHolder(new FeedSocket.Servlet()), "/feed/*");
      war.server.setHandler(context);
      try {
        war.server.start();
      } catch (Exception | Error e) {
        war.server.stop();
        throw e;
      }
      return war;
    }

    String base() {
      return "http://127.0.0.1:" + connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      server.stop();
    }
  }

  /** The browser's side, opened with the browser's cookies once the server has greeted it. */
  private static BrowserSocket open(Deployment war, TestBrowser browser, String path)
      throws Exception {
    return BrowserSocket.openGreeted(
        URI.create(war.base().replaceFirst("^http", "ws") + path),
        Map.of("Cookie", browser.cookieHeader()),
        Duration.ofSeconds(WAIT_SECONDS));
  }
}
