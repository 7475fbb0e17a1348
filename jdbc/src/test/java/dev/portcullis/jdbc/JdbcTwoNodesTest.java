package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Portcullis-protected Jetty servers, each with its own pool and {@link JdbcStores} on one PostgreSQL schema,
 * sharing one key ring: a login on one node works on the other, and a logout (or "log out everywhere") on either
 * ends it on both, so that the old cookies are refused by the node that issued them.
 */
@ExtendWith(SharedPostgres.class)
class JdbcTwoNodesTest {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final UserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
      .add(
          "alice",
          "alice-pw".toCharArray(),
          new PortalUser(
              "u-alice", "Alice", "alice@example.org", Set.of("PROVIDER"), "riverside", true, "t1"))
      .add(
          "bob",
          "bob-pw".toCharArray(),
          new PortalUser(
              "u-bob", "Bob", "bob@example.org", Set.of("PROVIDER"), "hillview", true, "t1"));
  private final HikariDataSource poolA;
  private final HikariDataSource poolB;
  private final Node a;
  private final Node b;

  JdbcTwoNodesTest(PostgresServer server) throws Exception {
    poolA = server.freshDataSource();
    poolB = JdbcLoginAttemptStoreTest.samePlace(poolA);
    byte[] key = new byte[32];
    random.nextBytes(key);
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
        .build();
    a = new Node(ring, poolA);
    b = new Node(ring, poolB);
  }

  @AfterEach
  void stop() throws Exception {
    a.close();
    b.close();
    poolB.close();
    poolA.close();
  }

  @Test
  void loginOnA_worksOnB_andLogoutOnB_refusesTheOldCookiesOnA() throws Exception {
    TestBrowser onA = a.browser();
    login(onA, "alice", "alice-pw");
    assertThat(whoami(onA)).isEqualTo("u-alice");
    TestBrowser onB = b.sameBrowser(onA);
    assertThat(whoami(onB))
        .as("node B reads the session and ticket from PostgreSQL")
        .isEqualTo("u-alice");
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());
    assertThat(saved).isNotEmpty();

    HttpResponse<String> out = onB.post("/logout", Map.of("_csrf", csrf(onB)));
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("/login"));

    assertThat(whoami(a.browser(saved)))
        .as("node A refuses the cookies that node B logged out")
        .isEqualTo("anonymous");
    assertThat(whoami(b.browser(saved))).isEqualTo("anonymous");
  }

  @Test
  void logoutEverywhereOnA_endsTheUsersSessionsOnB_andLeavesOtherUsersAlone() throws Exception {
    TestBrowser first = a.browser();
    login(first, "alice", "alice-pw");
    TestBrowser second = b.browser();
    login(second, "alice", "alice-pw");
    TestBrowser other = b.browser();
    login(other, "bob", "bob-pw");
    assertThat(whoami(second)).isEqualTo("u-alice");
    Map<String, String> secondCookies = new LinkedHashMap<>(second.cookies());

    HttpResponse<String> out = first.post("/logout-everywhere", Map.of("_csrf", csrf(first)));
    assertThat(out.statusCode()).isEqualTo(303);

    assertThat(whoami(b.browser(secondCookies)))
        .as("alice's login made on node B ends with log out everywhere on node A")
        .isEqualTo("anonymous");
    assertThat(whoami(a.browser(secondCookies))).isEqualTo("anonymous");
    assertThat(whoami(other)).as("bob stays logged in").isEqualTo("u-bob");
    assertThat(whoami(a.sameBrowser(other))).isEqualTo("u-bob");
  }

  private static void login(TestBrowser browser, String user, String password) throws Exception {
    String token = csrfOf(browser.get("/login").body());
    HttpResponse<String> r =
        browser.post("/login", Map.of("username", user, "password", password, "_csrf", token));
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

  /** One node: its own pool, stores, filter and Jetty. */
  private final class Node implements AutoCloseable {
    private final JdbcStores stores;
    private final TestJetty jetty;
    private final String base;

    Node(KeyRing ring, HikariDataSource pool) throws Exception {
      stores = JdbcStores.builder(pool, clock).build();
      SessionConfig config = SessionConfig.defaults();
      SessionRegistry sessions = SessionRegistry.create(
          config, stores.sessionStore(config), random, clock, SessionListener.noop());
      PortalLogin login = PortalLogin.builder()
          .keyRing(ring)
          .users(users)
          .revocations(stores.revocationStore())
          .clock(clock)
          .random(random)
          .termsVersion("t1")
          .build();
      PortcullisFilter filter = PortcullisFilter.builder()
          .transport(TransportConfig.builder().developmentMode(true).build())
          .sessions(sessions)
          .login(login, random)
          .accessDecidedByApplication()
          .build();
      jetty = TestJetty.builder().open();
      jetty.context("/").filter(filter).servlet(new HttpServlet() {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
          resp.setContentType("text/plain;charset=utf-8");
          Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
          String who = req.getUserPrincipal() == null
              ? "anonymous"
              : req.getUserPrincipal().getName();
          resp.getWriter().print(who + " csrf=" + csrf);
        }
      });
      jetty.start();
      base = jetty.baseUri().toString();
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
      jetty.close();
      stores.close();
    }
  }
}
