package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionIdFormat;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cookie check by the session cookie ({@link PortalLogin.Builder#cookieCheckBySessionCookie()}), on a real Jetty:
 * a ported portal's names ({@code ASP.NET_SessionId} in ASP.NET's id format, {@code validPSuser}) and no cookie-check
 * cookie. The login page gives a browser without a session cookie an id that names no stored session, the login form's
 * token is bound to that id, and the login still moves the browser to a new, stored session.
 */
class SessionCookieCheckTest {
  private static final String SESSION = "ASP.NET_SessionId";
  private static final String AUTH = "validPSuser";
  private static final Pattern ASPNET_ID = Pattern.compile("[a-z0-5]{24}");

  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();
  private AuditLog audit;
  private CaffeineSessionStore store;
  private PortcullisFilter filter;
  private TestJetty jetty;
  private String base;

  @BeforeEach
  void start() throws Exception {
    byte[] key = new byte[32];
    random.nextBytes(key);
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
        .build();
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
                "t1"));
    audit = AuditLog.builder()
        .clock(clock)
        .random(random)
        .auditSink(AuditSink.noop())
        .build();
    SessionConfig config = SessionConfig.builder()
        .idFormat(SessionIdFormat.ASPNET)
        .cookie(SessionConfig.defaultCookie(SESSION))
        .build();
    store = CaffeineSessionStore.builder(config, clock).executor(Runnable::run).build();
    SessionRegistry sessions =
        SessionRegistry.create(config, store, random, clock, new SessionAudit(audit));
    PortalLogin login = PortalLogin.builder()
        .keyRing(ring)
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(random)
        .termsVersion("t1")
        .authCookie(LoginCookies.defaultAuthCookie(AUTH))
        .cookieCheckBySessionCookie()
        .build();
    jetty = TestJetty.builder().open();
    base = jetty.baseUri().toString();
    filter = PortcullisFilter.builder()
        .transport(TransportConfig.builder().developmentMode(true).build())
        .sessions(sessions)
        .login(login, random)
        .audit(audit)
        .accessDecidedByApplication()
        .build();
    jetty.context("/").filter(filter).servlet(new Pages());
    jetty.start();
  }

  @AfterEach
  void stop() throws Exception {
    jetty.close();
    audit.close();
  }

  private long storedSessions() {
    store.cleanUp();
    return store.estimatedSize();
  }

  /** Posts alice's login form, terms accepted, from {@code browser} with the form token {@code csrf}. */
  private static HttpResponse<String> postAliceLogin(Browser browser, String csrf)
      throws Exception {
    return browser.post(
        "/login",
        Map.of("username", "alice", "password", "alice-pw", "acceptTerms", "yes", "_csrf", csrf));
  }

  private static List<String> setCookieNames(HttpResponse<String> r) {
    return r.headers().allValues("Set-Cookie").stream()
        .map(h -> h.substring(0, h.indexOf('=')))
        .toList();
  }

  @Test
  void declaredCookies_areTheSessionAndAuthCookies_only() {
    assertThat(filter.cookies()).extracting(CookieSpec::name).containsExactly(SESSION, AUTH);
  }

  @Test
  void loginPageGets_storeNoSession_andEachGivesAFreshAspNetId() throws Exception {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Browser b = new Browser(base);
      HttpResponse<String> page = b.openLoginPage();
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(setCookieNames(page)).containsExactly(SESSION);
      String id = b.cookies().get(SESSION);
      assertThat(id).matches(ASPNET_ID);
      ids.add(id);
      assertThat(b.csrf).as("the login form's token").isNotNull();
    }
    assertThat(ids).as("every login page a fresh id").hasSize(200);
    assertThat(storedSessions()).as("sessions stored by 200 login pages").isZero();
  }

  @Test
  void loginAndLogout_setOnlyTheDeclaredCookies_andTheLoginMovesToANewStoredId() throws Exception {
    Browser b = new Browser(base);
    b.openLoginPage();
    String before = b.cookies().get(SESSION);
    // Another page keeps the unstored id in the browser (it is what the form's token is bound to).
    HttpResponse<String> other = b.get("/page");
    assertThat(other.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(b.cookies()).containsEntry(SESSION, before);

    HttpResponse<String> login = postAliceLogin(b, b.csrf);
    assertThat(login.statusCode()).isEqualTo(303);
    String after = b.cookies().get(SESSION);
    assertThat(after).matches(ASPNET_ID).isNotEqualTo(before);
    assertThat(b.cookies()).containsOnlyKeys(SESSION, AUTH);
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertThat(storedSessions()).isEqualTo(1);

    assertThat(b.logout().statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("anonymous");
    assertThat(b.setCookieHeaders())
        .extracting(h -> h.substring(0, h.indexOf('=')))
        .containsOnly(SESSION, AUTH);
    for (String header : b.setCookieHeaders()) {
      assertThat(header).contains("Secure", "HttpOnly", "Path=/").doesNotContain("Domain");
      if (!header.contains("Max-Age=0")) {
        assertThat(header).doesNotContain("Max-Age").doesNotContain("Expires");
      }
    }
  }

  @Test
  void loginPostWithoutTheSessionCookie_getsTheBlockedCookiePage() throws Exception {
    Browser b = new Browser(base);
    b.blockCookies(true);
    b.openLoginPage();
    HttpResponse<String> post = postAliceLogin(b, b.csrf);
    assertThat(post.statusCode()).isEqualTo(400);
    assertThat(post.body()).contains("Your browser is blocking cookies");
    assertThat(storedSessions()).isZero();
  }

  @Test
  void theTokenOfOneSessionCookie_doesNotWorkWithAnother() throws Exception {
    Browser first = new Browser(base);
    first.openLoginPage();
    Browser second = new Browser(base);
    second.openLoginPage();
    assertThat(second.cookies().get(SESSION)).isNotEqualTo(first.cookies().get(SESSION));

    HttpResponse<String> crossed = postAliceLogin(second, first.csrf);
    assertThat(crossed.statusCode()).isEqualTo(403);
    assertThat(second.cookies()).doesNotContainKey(AUTH);

    // An id the browser made up itself has a token only the portal can compute.
    Browser forger = new Browser(base);
    forger.cookies().put(SESSION, "abcdefghijklmnopqrstuvwx");
    HttpResponse<String> page = forger.openLoginPage();
    assertThat(setCookieNames(page)).as("a well-formed id is kept").isEmpty();
    assertThat(postAliceLogin(forger, first.csrf).statusCode()).isEqualTo(403);
    assertThat(postAliceLogin(forger, forger.csrf).statusCode())
        .as("with the token the login page showed for that id")
        .isEqualTo(303);
    assertThat(forger.cookies().get(SESSION))
        .as("the login never adopts the browser's id")
        .isNotEqualTo("abcdefghijklmnopqrstuvwx");
  }

  @Test
  void malformedSessionCookie_onTheLoginPage_isReplacedByAFreshId_notDropped() throws Exception {
    Browser b = new Browser(base);
    b.cookies().put(SESSION, "not-an-aspnet-id");
    HttpResponse<String> page = b.openLoginPage();
    assertThat(setCookieNames(page)).containsExactly(SESSION);
    assertThat(b.cookies().get(SESSION)).matches(ASPNET_ID);
    assertThat(storedSessions()).isZero();
  }

  @Test
  void cookieCheckBySessionCookie_andACookieCheckCookie_areRefusedTogether() {
    assertThatThrownBy(() -> PortalLogin.builder()
            .keyRing(KeyRing.builder()
                .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(new byte[32]))
                .build())
            .users(new InMemoryUserDirectory(PasswordHasher.forTests()))
            .revocations(RevocationStore.inMemory(clock))
            .clock(clock)
            .random(random)
            .termsVersion("t1")
            .cookieCheckBySessionCookie()
            .cookieCheckCookie(LoginCookies.defaultCookieCheckCookie("cc"))
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("contradict");
  }

  /** {@code /login} prints {@code csrf=<token>}; {@code /whoami} the principal; anything else its path. */
  private static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
      if (req.getRequestURI().equals("/login")) {
        resp.getWriter().print("login page csrf=" + csrf);
      } else if (req.getRequestURI().equals("/whoami")) {
        resp.getWriter()
            .print(
                req.getUserPrincipal() == null
                    ? "anonymous"
                    : req.getUserPrincipal().getName() + " csrf=" + csrf);
      } else {
        resp.getWriter().print("page " + req.getRequestURI());
      }
    }
  }
}
