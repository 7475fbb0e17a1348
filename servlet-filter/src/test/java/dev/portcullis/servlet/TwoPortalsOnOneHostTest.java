package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.testing.MutableClock;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two Portcullis applications on one host name, as two WARs of one container are: two servlet contexts of one real
 * Jetty, {@code /providers} and {@code /staff}, each with its own filter, reached by one browser. A {@code __Host-}
 * cookie has {@code Path=/}, so with the default cookie names the browser sends each application the other's cookies:
 * with keys of their own, a visit to one expires the other's cookies and logs the user out of it; with one key ring
 * and shared stores, a login to one is a login to the other. {@link Portcullis.Builder#cookieNamePrefix} gives each
 * its own names, and a filter in a context other than the root warns at start-up while it keeps the default names.
 */
class TwoPortalsOnOneHostTest {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Browser browser;

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void defaultNames_keysOfTheirOwn_aVisitToTheOtherApplicationLogsTheUserOut() throws Exception {
    start(portal(ring(), b -> b), portal(ring(), b -> b));
    assertThat(login("/providers").statusCode()).isEqualTo(303);
    assertThat(whoami("/providers")).isEqualTo("u-alice");

    HttpResponse<String> staff = browser.get("/staff/reports/1");

    assertThat(staff.statusCode()).as("the staff portal cannot open the cookie").isEqualTo(303);
    assertThat(staff.headers().allValues("Set-Cookie"))
        .as("and expires it, for the whole host")
        .anyMatch(c -> c.startsWith("__Host-portcullis-auth=; Max-Age=0; Path=/"));
    assertThat(whoami("/providers"))
        .as("logged out of the providers' portal")
        .isEqualTo("anonymous");
  }

  @Test
  void defaultNames_oneKeyRingAndSharedStores_aLoginToOneIsALoginToTheOther() throws Exception {
    KeyRing shared = ring();
    SessionStore sessions = sessionStore();
    UnaryOperator<Portcullis.Builder> sharedStore =
        b -> b.sessionStore(sessions).perNodeLoginLimit();
    start(portal(shared, sharedStore), portal(shared, sharedStore));

    assertThat(login("/providers").statusCode()).isEqualTo(303);

    assertThat(whoami("/staff"))
        .as("never logged in to the staff portal, yet it sees a logged-in user")
        .isEqualTo("u-alice");
  }

  @Test
  void aCookieNamePrefixEach_keepsEachLoginToItsOwnApplication() throws Exception {
    KeyRing shared = ring();
    SessionStore sessions = sessionStore();
    start(
        portal(
            shared,
            b -> b.sessionStore(sessions).perNodeLoginLimit().cookieNamePrefix("providers")),
        portal(
            shared, b -> b.sessionStore(sessions).perNodeLoginLimit().cookieNamePrefix("staff")));

    assertThat(login("/providers").statusCode()).isEqualTo(303);
    assertThat(browser.cookies()).containsOnlyKeys("__Host-providers-auth", "__Host-providers-sid");
    assertThat(whoami("/staff"))
        .as("the staff portal's own login is still needed")
        .isEqualTo("anonymous");
    assertThat(login("/staff").statusCode()).isEqualTo(303);

    assertThat(whoami("/providers")).isEqualTo("u-alice");
    assertThat(whoami("/staff")).isEqualTo("u-alice");
    assertThat(browser.cookies())
        .containsOnlyKeys(
            "__Host-providers-auth",
            "__Host-providers-sid",
            "__Host-staff-auth",
            "__Host-staff-sid");
  }

  /**
   * Regression: the prefix renamed the session, auth and cookie-check cookies but not the single sign-on upgrade
   * cookie, which both applications then set as {@code __Host-portcullis-sso}, each overwriting the other's offer.
   */
  @Test
  void aCookieNamePrefixEach_namesTheSingleSignOnUpgradeCookieToo() throws Exception {
    KeyRing providersRing = ring();
    KeyRing staffRing = ring();
    start(
        portal(
            providersRing,
            b -> b.cookieNamePrefix("providers")
                .filter(f -> f.sso(sso("/providers", s -> s), providersRing, clock))),
        portal(
            staffRing,
            b -> b.cookieNamePrefix("staff")
                .filter(f -> f.sso(sso("/staff", s -> s), staffRing, clock))));

    assertThat(login("/providers").statusCode()).isEqualTo(303);
    assertThat(login("/staff").statusCode()).isEqualTo(303);

    assertThat(browser.cookies())
        .containsKeys("__Host-providers-sso", "__Host-staff-sso")
        .doesNotContainKey("__Host-portcullis-sso");
    assertThat(whoami("/providers")).isEqualTo("u-alice");
    assertThat(whoami("/staff")).isEqualTo("u-alice");
  }

  @Test
  void anUpgradeCookieNamedInTheSsoConfig_keepsItsName_whateverThePrefix() throws Exception {
    KeyRing staffRing = ring();
    start(
        portal(ring(), b -> b.cookieNamePrefix("providers")),
        portal(
            staffRing,
            b -> b.cookieNamePrefix("staff")
                .filter(f -> f.sso(
                    sso("/staff", s -> s.cookie(SsoConfig.defaultCookie("__Host-staff-upgrade"))),
                    staffRing,
                    clock))));

    assertThat(login("/staff").statusCode()).isEqualTo(303);

    assertThat(browser.cookies())
        .containsKey("__Host-staff-upgrade")
        .doesNotContainKeys("__Host-staff-sso", "__Host-portcullis-sso");
  }

  /** Single sign-on for the application at {@code context}; its provider is never reached by these tests. */
  private SsoConfig sso(String context, UnaryOperator<SsoConfig.Builder> more) {
    return more.apply(SsoConfig.builder()
            .links(AccountLinkStore.inMemory())
            .replay(ReplayStore.inMemory(clock))
            .provider(URI.create("http://127.0.0.1:9/idp"), "portal", "portal-secret")
            .redirectUri(URI.create("https://portal.example" + context + "/sso/callback"))
            .callbackPath("/sso/callback"))
        .build();
  }

  @Test
  void aSubPathContextWithTheDefaultNames_warnsAtStartUp_namingTheSettingThatGivesItsOwnNames()
      throws Exception {
    String logged = CapturedStderr.during(
        () -> start(portal(ring(), b -> b), portal(ring(), b -> b.cookieNamePrefix("staff"))));

    assertThat(logged)
        .contains("servlet context /providers with the default cookie names __Host-portcullis-sid,"
            + " __Host-portcullis-auth, __Host-portcullis-cc")
        .contains("cookieNamePrefix(\"providers\")")
        .contains("portcullis.cookies.name-prefix=providers")
        .contains("name-prefix: providers")
        .doesNotContain("servlet context /staff");
  }

  @Test
  void theRootContext_doesNotWarn() throws Exception {
    Portcullis alone = portal(ring(), b -> b);
    TestJetty jetty = TestJetty.builder().https().open();
    toClose.add(jetty);
    jetty.context("/").servlet(new Pages()).filter(alone.filter());

    String logged = CapturedStderr.during(jetty::start);

    assertThat(logged).doesNotContain("default cookie names");
  }

  private KeyRing ring() {
    return KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
  }

  private SessionStore sessionStore() {
    return CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build();
  }

  private Portcullis portal(KeyRing ring, UnaryOperator<Portcullis.Builder> settings) {
    Portcullis portal = settings
        .apply(Portcullis.builder()
            .keyRing(ring)
            .users(LoginPortal.alice())
            .termsVersion(LoginPortal.TERMS)
            .clock(clock))
        .build();
    toClose.add(portal);
    return portal;
  }

  /** One Jetty, the providers' portal at /providers and the staff's at /staff, and a browser for both. */
  private void start(Portcullis providers, Portcullis staff) throws Exception {
    TestJetty jetty = TestJetty.builder().https().open();
    toClose.add(jetty);
    jetty.context("/providers").servlet(new Pages()).filter(providers.filter());
    jetty.context("/staff").servlet(new Pages()).filter(staff.filter());
    jetty.start();
    HttpClient client = HttpClient.newBuilder()
        .sslContext(jetty.clientTls())
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    browser = new Browser(jetty.httpsBaseUri().toString().replaceAll("/$", ""), client);
  }

  private HttpResponse<String> login(String context) throws IOException, InterruptedException {
    String csrf =
        Browser.csrfToken(CSRF, browser.get(context + "/login").body()).orElseThrow();
    return browser.post(
        context + "/login",
        Map.of("username", "alice", "password", "alice-pw", "acceptTerms", "yes", "_csrf", csrf));
  }

  /** The user {@code context} sees, or "anonymous" when it sends the browser to log in. */
  private String whoami(String context) throws IOException, InterruptedException {
    HttpResponse<String> page = browser.get(context + "/whoami");
    if (page.statusCode() == 303) {
      return "anonymous";
    }
    String body = page.body();
    int space = body.indexOf(' ');
    return space < 0 ? body : body.substring(0, space);
  }

  /** {@code /login} and {@code /whoami} show the CSRF token; paths are within the context. */
  private static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
      String path = req.getRequestURI().substring(req.getContextPath().length());
      if (path.equals("/login")) {
        resp.getWriter().print("login page csrf=" + csrf);
      } else if (path.equals("/whoami")) {
        resp.getWriter()
            .print(
                req.getUserPrincipal() == null
                    ? "anonymous"
                    : req.getUserPrincipal().getName() + " csrf=" + csrf);
      } else {
        resp.getWriter().print("page " + path);
      }
    }
  }
}
