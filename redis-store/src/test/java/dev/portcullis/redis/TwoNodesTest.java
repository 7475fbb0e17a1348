package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two Portcullis-protected Jetty servers, each with its own Redis connection, sharing one Redis and one key ring: a
 * login on one node works on the other, a logout on either ends it on both, and a Redis outage means nobody is
 * authenticated until Redis is back, when the same cookies work again.
 */
class TwoNodesTest {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");
  private final SecureRandom random = new SecureRandom();
  private RedisServer redis;
  private Node a;
  private Node b;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    redis = RedisServer.start();
    byte[] key = new byte[32];
    random.nextBytes(key);
    KeyRing ring = KeyRing.builder().add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key)).build();
    a = new Node(ring);
    b = new Node(ring);
  }

  @AfterEach
  void stop() throws Exception {
    if (a != null) {
      a.close();
      b.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void loginOnA_worksOnB_andLogoutOnB_endsItOnA() throws Exception {
    TestBrowser onA = a.browser();
    login(onA, "alice", "alice-pw");
    TestBrowser onB = b.sameBrowser(onA);
    assertThat(whoami(onA)).isEqualTo("u-alice");
    assertThat(whoami(onB)).as("node B reads the session and ticket from Redis").isEqualTo("u-alice");
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());

    HttpResponse<String> out = onB.post("/logout", Map.of("_csrf", csrf(onB)));
    assertThat(out.statusCode()).isEqualTo(303);
    long loggedOutAt = System.nanoTime();
    assertThat(whoami(a.browser(saved))).isEqualTo("anonymous");
    assertThat(Duration.ofNanos(System.nanoTime() - loggedOutAt)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void redisDown_nobodyIsAuthenticated_andTheSameCookiesWorkWhenItIsBack() throws Exception {
    TestBrowser onA = a.browser();
    login(onA, "bob", "bob-pw");
    assertThat(whoami(b.sameBrowser(onA))).isEqualTo("u-bob");
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());

    redis.freeze();
    try {
      long t0 = System.nanoTime();
      HttpResponse<String> r = a.browser(saved).get("/whoami");
      assertThat(r.statusCode()).isLessThan(500);
      assertThat(r.body()).startsWith("anonymous");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("fails closed within the bounded time")
          .isLessThan(Duration.ofSeconds(3));
      assertThat(whoami(b.browser(saved))).isEqualTo("anonymous");
    } finally {
      redis.thaw();
    }
    assertThat(whoami(a.browser(saved))).as("no restart, nobody logged out").isEqualTo("u-bob");
    assertThat(whoami(b.browser(saved))).isEqualTo("u-bob");
  }

  private static void login(TestBrowser browser, String user, String password) throws Exception {
    String token = csrfOf(browser.get("/login").body());
    HttpResponse<String> r = browser.post("/login", Map.of("username", user, "password", password, "_csrf", token));
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/");
  }

  private static String whoami(TestBrowser browser) throws Exception {
    String body = browser.get("/whoami").body();
    return body.substring(0, body.indexOf(' '));
  }

  private static String csrf(TestBrowser browser) throws Exception {
    return csrfOf(browser.get("/whoami").body());
  }

  private static String csrfOf(String body) {
    Optional<String> token = TestBrowser.csrfToken(CSRF, body);
    assertThat(token).as("page shows a CSRF token: %s", body).isPresent();
    return token.orElseThrow();
  }

  /** One node: its own Redis connection, filter and Jetty. */
  private final class Node implements AutoCloseable {
    private final RedisStores stores;
    private final Server server;
    private final String base;

    @dev.portcullis.internal.SuppressForbidden(reason = "Redis TTLs run on Redis's real clock")
    Node(KeyRing ring) throws Exception {
      InstantSource clock = InstantSource.system();
      stores = RedisStores.connect(RedisStoreConfig.builder().uri(redis.uri()).commandTimeout(Duration.ofMillis(500))
          .keyPrefix("two-nodes:").build(), clock);
      SessionConfig config = SessionConfig.defaults();
      SessionRegistry sessions = SessionRegistry.create(config, stores.sessionStore(config), random, clock,
          SessionListener.noop());
      InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
          .add("alice", "alice-pw".toCharArray(), new PortalUser("u-alice", "Alice", "alice@example.org",
              Set.of("PROVIDER"), "riverside", true, "t1"))
          .add("bob", "bob-pw".toCharArray(), new PortalUser("u-bob", "Bob", "bob@example.org",
              Set.of("PROVIDER"), "hillview", true, "t1"));
      PortalLogin login = PortalLogin.builder().keyRing(ring).users(users).revocations(stores.revocationStore())
          .clock(clock).random(random).termsVersion("t1").build();
      PortcullisFilter filter = PortcullisFilter.builder()
          .transport(TransportConfig.builder().developmentMode(true).build())
          .sessions(sessions).login(login, random).accessDecidedByApplication().build();
      server = new Server();
      HttpConfiguration http = new HttpConfiguration();
      http.setHeaderCacheCaseSensitive(true);
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      ServletContextHandler app = new ServletContextHandler();
      app.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
      app.addServlet(new ServletHolder(new HttpServlet() {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
          resp.setContentType("text/plain;charset=utf-8");
          Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
          String who = req.getUserPrincipal() == null ? "anonymous" : req.getUserPrincipal().getName();
          resp.getWriter().print(who + " csrf=" + csrf);
        }
      }), "/*");
      server.setHandler(app);
      server.start();
      base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    /** A new browser on this node. */
    TestBrowser browser() {
      return new TestBrowser(base);
    }

    /** A new browser on this node holding {@code cookies}. */
    TestBrowser browser(Map<String, String> cookies) {
      TestBrowser browser = browser();
      browser.cookies().putAll(cookies);
      return browser;
    }

    /** {@code browser} addressing this node, sharing its cookies. */
    TestBrowser sameBrowser(TestBrowser browser) {
      return browser.on(base);
    }

    @Override
    public void close() throws Exception {
      server.stop();
      stores.close();
    }
  }
}
