package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Dropwizard application with the bundle, started on random loopback ports and driven over real HTTP (development
 * mode lets plain HTTP through from loopback): the filter guards Jersey, the Portcullis login is Jersey's
 * {@code SecurityContext} and {@code @RolesAllowed} decides on its roles, CSRF and logout work, events are audited,
 * and the health check reports on the keys.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class PortcullisBundleTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern PAGE_CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  static final Path KEYS = keyFile();

  static final DropwizardAppExtension<PortalApp.Config> APP = new DropwizardAppExtension<>(
      PortalApp.class,
      ResourceHelpers.resourceFilePath("portcullis-app.yml"),
      ConfigOverride.config("portcullis.keys.file", KEYS.toString()));

  static Path keyFile() {
    try {
      Path dir = Files.createTempDirectory(Path.of("target"), "dropwizard-keys");
      Path file = dir.resolve("keys.txt");
      KeyRingSources.createFile(
          KeyRing.builder()
              .add(1, KeyStatus.ACTIVE, PortalApp.START, KeyMaterial.generate(new SecureRandom()))
              .build(),
          file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TestBrowser browser() {
    return new TestBrowser("http://127.0.0.1:" + APP.getLocalPort());
  }

  private static HttpResponse<String> login(TestBrowser browser, String user, String password)
      throws Exception {
    String csrf = TestBrowser.csrfToken(FORM_CSRF, browser.get("/login").body()).orElse("");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", user);
    form.put("password", password);
    form.put("_csrf", csrf);
    return browser.post("/login", form);
  }

  private static PortalApp app() {
    return (PortalApp) APP.getApplication();
  }

  @Test
  void withoutTheRedisOrJdbcBlock_theBundleOffersNoSharedStores_andNoneBeforeItRuns() {
    assertThat(app().bundle.redisStores()).isEmpty();
    assertThat(app().bundle.jdbcStores()).isEmpty();

    PortcullisBundle<PortalApp.Config> notRun =
        new PortcullisBundle<>(PortalApp.Config::getPortcullis, (c, e) -> PortalApp.users());
    assertThatThrownBy(notRun::jdbcStores)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the PostgreSQL stores are made when the application runs");
    assertThatThrownBy(notRun::redisStores).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anonymousVisitor_isSentToTheLoginPage_beforeJerseySeesTheRequest() throws Exception {
    HttpResponse<String> r = browser().get("/reports");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/login?returnTo=%2Freports");
    assertThat(r.body()).doesNotContain("reports for");
  }

  @Test
  void loggedInUser_isJerseysPrincipal_andRolesAllowedLetsTheRoleThrough() throws Exception {
    TestBrowser browser = browser();
    HttpResponse<String> login = login(browser, "alice", "alice-pw");
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(login.headers().firstValue("Location")).hasValue("/");

    assertThat(browser.get("/status/whoami").body()).startsWith("u-alice provider=true csrf=");
    HttpResponse<String> reports = browser.get("/reports");
    assertThat(reports.statusCode()).isEqualTo(200);
    assertThat(reports.body()).isEqualTo("reports for u-alice");
  }

  @Test
  void rolesAllowed_refusesAUserWithoutTheRole_inTheFilterAndInJersey() throws Exception {
    TestBrowser alice = browser();
    login(alice, "alice", "alice-pw");
    assertThat(alice.get("/admin").statusCode()).as("access rule in the filter").isEqualTo(403);
    assertThat(alice.get("/status/board").statusCode())
        .as("@RolesAllowed on a page the filter lets through")
        .isEqualTo(403);
    assertThat(browser().get("/status/board").statusCode())
        .as("anonymous, @RolesAllowed")
        .isEqualTo(403);
    assertThat(browser().get("/status").body()).isEqualTo("up");

    TestBrowser root = browser();
    login(root, "root", "root-pw");
    assertThat(root.get("/admin").body()).isEqualTo("admin page");
    assertThat(root.get("/status/board").body()).isEqualTo("board");
    assertThat(root.get("/reports").statusCode()).isEqualTo(403);
  }

  /**
   * Regression: {@code @RolesAllowed}'s refusal of an anonymous visitor (a public path, a resource with roles) carried
   * the security headers but no {@code Cache-Control}, so a shared cache could keep the refusal and serve it for
   * others.
   */
  @Test
  void rolesAllowedRefusals_areNotToBeStored_whoeverAsked() throws Exception {
    TestBrowser alice = browser();
    login(alice, "alice", "alice-pw");
    for (TestBrowser visitor : List.of(browser(), alice)) {
      HttpResponse<String> refused = visitor.get("/status/board");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.headers().allValues("Cache-Control")).containsExactly("no-store");
      assertThat(refused.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(refused.headers().firstValue("X-Frame-Options")).hasValue("DENY");
      assertThat(refused.headers().allValues("Content-Security-Policy"))
          .contains("frame-ancestors 'none'");
      assertThat(refused.body()).doesNotContain("board", "Exception");
    }
    assertThat(browser().get("/status").headers().firstValue("Cache-Control"))
        .as("a public page anyone may see")
        .isEmpty();
  }

  @Test
  void postWithoutTheCsrfToken_isRefused_andWithItReachesTheResource() throws Exception {
    TestBrowser browser = browser();
    login(browser, "alice", "alice-pw");
    HttpResponse<String> without = browser.post("/reports", Map.of("note", "x"));
    assertThat(without.statusCode()).isEqualTo(403);
    assertThat(without.body()).doesNotContain("added");

    String csrf =
        TestBrowser.csrfToken(PAGE_CSRF, browser.get("/status/whoami").body()).orElseThrow();
    HttpResponse<String> with = browser.post("/reports", Map.of("note", "x", "_csrf", csrf));
    assertThat(with.statusCode()).isEqualTo(200);
    assertThat(with.body()).isEqualTo("added");
  }

  /**
   * A browser that blocks cookies gets the filter's plain page on its login, not Jersey's or Jetty's error page: no
   * redirect, no cookie kept, and it stays anonymous.
   */
  @Test
  void browserThatBlocksCookies_isToldItCannotLogIn_andStaysAnonymous() throws Exception {
    TestBrowser browser = browser();
    browser.blockCookies(true);
    HttpResponse<String> login = login(browser, "alice", "alice-pw");
    assertThat(login.statusCode()).isEqualTo(400);
    assertThat(login.body()).contains("Your browser is blocking cookies, so you cannot log in");
    assertThat(login.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(login.headers().firstValue("Location")).isEmpty();
    assertThat(login.headers().allValues("Set-Cookie")).isEmpty();

    HttpResponse<String> next = browser.get("/reports");
    assertThat(next.statusCode()).isEqualTo(303);
    assertThat(next.headers().firstValue("Location")).hasValue("/login?returnTo=%2Freports");
    assertThat(browser.cookies()).isEmpty();
    assertThat(app().bundle.portcullis().audit().flush(Duration.ofSeconds(10))).isTrue();
    assertThat(app().sink.events())
        .filteredOn(e -> e.reason().filter("browser blocks cookies"::equals).isPresent())
        .singleElement()
        .satisfies(e -> assertThat(e.type()).isEqualTo(AuditEventType.AUTHN_LOGIN_FAIL));
  }

  @Test
  void logout_endsTheSession_andEventsAreAudited() throws Exception {
    TestBrowser browser = browser();
    login(browser, "carol", "carol-pw");
    assertThat(browser.get("/admin").statusCode()).isEqualTo(200);
    assertThat(browser.post("/admin", Map.of()).statusCode()).as("no token").isEqualTo(403);
    String csrf =
        TestBrowser.csrfToken(PAGE_CSRF, browser.get("/status/whoami").body()).orElseThrow();
    HttpResponse<String> logout = browser.post("/logout", Map.of("_csrf", csrf));
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(browser.get("/admin").statusCode()).isEqualTo(303);

    assertThat(app().bundle.portcullis().audit().flush(Duration.ofSeconds(10))).isTrue();
    for (AuditEventType type : List.of(
        AuditEventType.AUTHN_LOGIN_SUCCESS, AuditEventType.CSRF_FAIL, AuditEventType.LOGOUT)) {
      app().sink.assertOnce(type, PortcullisBundleTest::byCarol);
    }
  }

  private static boolean byCarol(AuditEvent event) {
    return event
        .actor()
        .map(AuditEvent.Actor::userHandle)
        .filter("u-carol"::equals)
        .isPresent();
  }

  @Test
  void healthCheck_reportsTheActiveKey() throws Exception {
    HttpResponse<String> health =
        new TestBrowser("http://127.0.0.1:" + APP.getAdminPort()).get("/healthcheck");
    assertThat(health.body())
        .contains("\"portcullis\"")
        .contains(
            "active key " + KeyRingSources.fromFile(KEYS).activeKey().idHex() + ", 0 days old");
    assertThat(APP.getEnvironment()
            .healthChecks()
            .runHealthCheck(PortcullisBundle.HEALTH_CHECK)
            .isHealthy())
        .isTrue();
  }

  /**
   * Regression: Dropwizard's Jetty kept its default header cache, which on one keep-alive connection hands the filter
   * a {@code Cookie} header that differs from an earlier one only in letter case as the earlier one: the logged-in
   * user's cookies with every letter's case changed, which open nothing, were taken for hers.
   */
  @Test
  void cookiesDifferingOnlyInLetterCase_onOneConnection_areNotTakenForTheEarlierOnes()
      throws Exception {
    TestBrowser alice = browser();
    login(alice, "alice", "alice-pw");
    String changed = alice.caseSwappedCookieHeader();
    HttpClient oneConnection =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI whoami = alice.uri("/status/whoami");

    HttpResponse<String> own = oneConnection.send(
        HttpRequest.newBuilder(whoami).header("Cookie", alice.cookieHeader()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(own.body()).startsWith("u-alice ");
    HttpResponse<String> other = oneConnection.send(
        HttpRequest.newBuilder(whoami).header("Cookie", changed).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.body()).as("the changed cookies log nobody in").startsWith("anonymous ");
  }

  @Test
  void aClientClaimingHttps_onDropwizardsDefaultConnector_isServedAsPlainHttp() throws Exception {
    TestBrowser browser = browser();
    HttpResponse<String> claimed = browser.send(HttpRequest.newBuilder(browser.uri("/status"))
        .header("X-Forwarded-Proto", "https")
        .header("Forwarded", "proto=https"));
    assertThat(claimed.statusCode())
        .as("development mode serves loopback over plain HTTP")
        .isEqualTo(200);
    assertThat(claimed.headers().firstValue("Strict-Transport-Security"))
        .as("the connection is plain, whatever the client says: no HSTS")
        .isEmpty();
  }
}
