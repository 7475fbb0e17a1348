package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.testing.BrowserSocket;
import dev.portcullis.servlet.testing.FeedSocket;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.junit.jupiter.api.Test;

/**
 * {@code portcullis.login.connection-recheck-interval} of the YAML block in a running application: a WebSocket of the
 * application's, opened by a logged-in user, is closed by the re-check at the interval set once the user's tickets are
 * revoked in the revocation store (as another node's "log out everywhere" does), without a request to this node.
 */
class ConnectionRecheckTest {
  /** Far longer than the 1 s interval, far shorter than the 30 s default. */
  private static final long WAIT_SECONDS = 10;

  /** {@link PortalApp} with a WebSocket at {@code /feed/*} whose sockets are watched. */
  public static class FeedApp extends PortalApp {
    @Override
    public void run(Config configuration, Environment environment) {
      super.run(configuration, environment);
      JettyWebSocketServletContainerInitializer.configure(
          environment.getApplicationContext(), null);
      environment.servlets().addServlet("feed", new FeedSocket.Servlet()).addMapping("/feed/*");
    }
  }

  @Test
  void aOneSecondInterval_fromTheYaml_closesTheSocketOfALoginRevokedElsewhere() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = new DropwizardTestSupport<>(
        FeedApp.class,
        ResourceHelpers.resourceFilePath("portcullis-app.yml"),
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()),
        ConfigOverride.config("portcullis.login.connection-recheck-interval", "1s"));
    try {
      support.before();
      PortalApp app = support.getApplication();
      String base = "http://127.0.0.1:" + support.getLocalPort();
      TestBrowser alice = new TestBrowser(base);
      assertThat(NodeSteps.logIn(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);
      BrowserSocket feed = open(base, alice, "/feed/news");
      assertThat(feed.firstMessage()).isEqualTo("hello u-alice");

      app.bundle
          .portcullis()
          .revocations()
          .revokeAllIssuedBefore(
              "u-alice",
              app.clock.instant().plusSeconds(1),
              app.clock.instant().plus(Duration.ofHours(9)));

      assertThat(feed.awaitClose()).isEqualTo("1008 " + OpenConnections.CLOSE_REASON);
    } finally {
      support.after();
    }
  }

  /** The browser's side, opened with the browser's cookies once the server has greeted it. */
  private static BrowserSocket open(String base, TestBrowser browser, String path)
      throws Exception {
    return BrowserSocket.openGreeted(
        URI.create(base.replaceFirst("^http", "ws") + path),
        Map.of("Cookie", browser.cookieHeader()),
        Duration.ofSeconds(WAIT_SECONDS));
  }
}
