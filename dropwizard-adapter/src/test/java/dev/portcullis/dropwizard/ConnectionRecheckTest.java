package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
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
      environment.servlets().addServlet("feed", new FeedServlet()).addMapping("/feed/*");
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
      Client feed = Client.open(base, alice, "/feed/news");
      assertThat(feed.greeting).isEqualTo("hello u-alice");

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

  /** The application's WebSocket servlet: each socket watched through its upgrade request's principal. */
  static final class FeedServlet extends JettyWebSocketServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void configure(JettyWebSocketServletFactory factory) {
      factory.setCreator(
          (request, response) -> new Feed((PortalPrincipal) request.getUserPrincipal()));
    }
  }

  /** Greets the user once its connection is watched; closed when the login behind it ends. */
  public static final class Feed implements Session.Listener.AutoDemanding {
    private final PortalPrincipal principal;
    private volatile OpenConnections.Watch watch;

    Feed(PortalPrincipal principal) {
      this.principal = principal;
    }

    @Override
    public void onWebSocketOpen(Session session) {
      watch = principal.closeWhenLoginEnds(
          (code, reason) -> session.close(code, reason, Callback.NOOP));
      session.sendText("hello " + principal.getName(), Callback.NOOP);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      if (watch != null) {
        watch.close();
      }
    }
  }

  /** The browser's side: a JDK WebSocket with the browser's cookies. */
  private static final class Client implements WebSocket.Listener {
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final CountDownLatch greeted = new CountDownLatch(1);
    private volatile String greeting;

    static Client open(String base, TestBrowser browser, String path) throws Exception {
      Client client = new Client();
      HttpClient.newHttpClient()
          .newWebSocketBuilder()
          .header("Cookie", browser.cookieHeader())
          .buildAsync(URI.create(base.replaceFirst("^http", "ws") + path), client)
          .get(WAIT_SECONDS, TimeUnit.SECONDS);
      // The server greets once the connection is watched: only then may the login change.
      if (!client.greeted.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("no greeting within " + WAIT_SECONDS + " s");
      }
      return client;
    }

    /** The close code and reason the server sent, waited for at most {@link #WAIT_SECONDS}. */
    String awaitClose() throws Exception {
      return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      greeting = data.toString();
      greeted.countDown();
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
