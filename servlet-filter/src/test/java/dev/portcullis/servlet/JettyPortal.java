package dev.portcullis.servlet;

import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.CountingSessionStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.transport.TransportConfig;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * A real Jetty 12 on a loopback port: {@code /app/*} behind {@link PortcullisFilter} on a Caffeine store and a hand-
 * moved clock, and {@code /raw/*}, the same servlet without the filter, as the control. Talks real HTTP through
 * {@link HttpClient}, handling cookies by hand so the tests see the headers exactly.
 */
final class JettyPortal implements AutoCloseable {
  final MutableClock clock = MutableClock.startingAt2026();
  final SessionConfig config;
  final CountingSessionStore store;
  /** While true, every call to the store fails as a store that does not answer. */
  final AtomicBoolean storeDown = new AtomicBoolean();

  final ServletContextHandler app;
  final ServletContextHandler raw;
  private final TestJetty jetty;
  private final HttpClient client = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String base;

  JettyPortal(SessionConfig config, HttpServlet servlet) throws Exception {
    this.config = config;
    this.store = new CountingSessionStore(outageSwitch(
        CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build(), storeDown));
    SessionRegistry registry =
        SessionRegistry.create(config, store, new SecureRandom(), clock, SessionListener.noop());

    // Plain HTTP on loopback: development mode lets it through the transport stage.
    PortcullisFilter filter = PortcullisFilter.builder()
        .transport(TransportConfig.builder().developmentMode(true).build())
        .sessions(registry)
        .build();
    jetty = TestJetty.builder().open();
    app = jetty
        .context("/app")
        .containerSessions()
        .filter(filter)
        .asyncServlet(servlet)
        .handler();
    raw = jetty.context("/raw").containerSessions().servlet(servlet).handler();
    jetty.start();
    base = jetty.baseUri().toString();
  }

  private static SessionStore outageSwitch(SessionStore store, AtomicBoolean down) {
    return (SessionStore) Proxy.newProxyInstance(
        SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class}, (p, m, args) -> {
          if (down.get()) {
            throw new StoreUnavailableException("session store down (test)", null);
          }
          try {
            return m.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  HttpResponse<String> get(String path, String... cookies)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    if (cookies.length > 0) {
      request.header("Cookie", String.join("; ", cookies));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code Set-Cookie} header values of a response. */
  static List<String> setCookies(HttpResponse<?> response) {
    return response.headers().allValues("Set-Cookie");
  }

  /** The value the response sets for the session cookie, if it sets one. */
  Optional<String> sessionCookieValue(HttpResponse<?> response) {
    String prefix = config.cookie().name() + "=";
    return setCookies(response).stream()
        .filter(h -> h.startsWith(prefix))
        .map(h -> h.substring(prefix.length(), h.indexOf(';') < 0 ? h.length() : h.indexOf(';')))
        .filter(v -> !v.isEmpty())
        .reduce((first, second) -> second);
  }

  /** The {@code Cookie} pair that sends the session id back. */
  String cookie(String value) {
    return config.cookie().name() + "=" + value;
  }

  @Override
  public void close() throws Exception {
    jetty.close();
  }
}
