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
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
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
    Map<String, String> jar = new LinkedHashMap<>();
    a.login(jar, "alice", "alice-pw");
    assertThat(a.whoami(jar)).isEqualTo("u-alice");
    assertThat(b.whoami(jar)).as("node B reads the session and ticket from Redis").isEqualTo("u-alice");
    Map<String, String> saved = new LinkedHashMap<>(jar);

    HttpResponse<String> out = b.post(jar, "/logout", Map.of("_csrf", b.csrf(jar)));
    assertThat(out.statusCode()).isEqualTo(303);
    long loggedOutAt = System.nanoTime();
    assertThat(a.whoami(new LinkedHashMap<>(saved))).isEqualTo("anonymous");
    assertThat(Duration.ofNanos(System.nanoTime() - loggedOutAt)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void redisDown_nobodyIsAuthenticated_andTheSameCookiesWorkWhenItIsBack() throws Exception {
    Map<String, String> jar = new LinkedHashMap<>();
    a.login(jar, "bob", "bob-pw");
    assertThat(b.whoami(jar)).isEqualTo("u-bob");
    Map<String, String> saved = new LinkedHashMap<>(jar);

    redis.freeze();
    try {
      long t0 = System.nanoTime();
      HttpResponse<String> r = a.get(new LinkedHashMap<>(saved), "/whoami");
      assertThat(r.statusCode()).isLessThan(500);
      assertThat(r.body()).startsWith("anonymous");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("fails closed within the bounded time")
          .isLessThan(Duration.ofSeconds(3));
      assertThat(b.whoami(new LinkedHashMap<>(saved))).isEqualTo("anonymous");
    } finally {
      redis.thaw();
    }
    assertThat(a.whoami(new LinkedHashMap<>(saved))).as("no restart, nobody logged out").isEqualTo("u-bob");
    assertThat(b.whoami(new LinkedHashMap<>(saved))).isEqualTo("u-bob");
  }

  /** One node: its own Redis connection, filter and Jetty. */
  private final class Node implements AutoCloseable {
    private final RedisStores stores;
    private final Server server;
    private final String base;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

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
          .sessions(sessions).login(login, random).build();
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

    void login(Map<String, String> jar, String user, String password) throws Exception {
      String token = csrfOf(get(jar, "/login").body());
      HttpResponse<String> r = post(jar, "/login", Map.of("username", user, "password", password, "_csrf", token));
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).contains("/");
    }

    String whoami(Map<String, String> jar) throws Exception {
      String body = get(jar, "/whoami").body();
      return body.substring(0, body.indexOf(' '));
    }

    String csrf(Map<String, String> jar) throws Exception {
      return csrfOf(get(jar, "/whoami").body());
    }

    HttpResponse<String> get(Map<String, String> jar, String path) throws Exception {
      return send(jar, HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    HttpResponse<String> post(Map<String, String> jar, String path, Map<String, String> form) throws Exception {
      StringBuilder body = new StringBuilder();
      form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
      return send(jar, HttpRequest.newBuilder(URI.create(base + path))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private HttpResponse<String> send(Map<String, String> jar, HttpRequest.Builder req) throws Exception {
      if (!jar.isEmpty()) {
        StringBuilder c = new StringBuilder();
        jar.forEach((k, v) -> c.append(c.length() == 0 ? "" : "; ").append(k).append('=').append(v));
        req.header("Cookie", c.toString());
      }
      HttpResponse<String> r = client.send(req.timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      for (String h : r.headers().allValues("Set-Cookie")) {
        String pair = h.substring(0, h.indexOf(';'));
        String name = pair.substring(0, pair.indexOf('='));
        String value = pair.substring(pair.indexOf('=') + 1);
        if (h.contains("Max-Age=0") || value.isEmpty()) {
          jar.remove(name);
        } else {
          jar.put(name, value);
        }
      }
      return r;
    }

    private String csrfOf(String body) {
      Matcher m = CSRF.matcher(body);
      assertThat(m.find()).as("page shows a CSRF token: %s", body).isTrue();
      return m.group(1);
    }

    @Override
    public void close() throws Exception {
      server.stop();
      stores.close();
    }
  }
}
