package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The login endpoints and the ticket lifetime of the {@code portcullis.login} block, read by a real Dropwizard start-up
 * and answered over HTTP; and the block's login settings beside a {@code customize} that adds login settings of its
 * own. The accepted endpoints, lifetime and limit are read from one start that their tests share ({@link
 * SharedStarts}); each refused value is a start of its own.
 */
class LoginPathSettingsTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern PAGE_CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private static final SharedStarts STARTS = new SharedStarts();

  @AfterAll
  static void stopTheApplications() {
    STARTS.close();
  }

  /**
   * The application with the login block's endpoints, ticket lifetime and login limit, in one start. The limit's test
   * locks out carol alone; the others log in as alice and root.
   */
  private static DropwizardTestSupport<PortalApp.Config> loginBlock() throws Exception {
    return STARTS.app(
        PortalApp.class,
        "portcullis.login.logout-path",
        "/sign-out",
        "portcullis.login.logout-everywhere-path",
        "/sign-out-everywhere",
        "portcullis.login.terms-path",
        "/status/terms",
        "portcullis.login.after-login-path",
        "/status/whoami",
        "portcullis.login.ticket-lifetime",
        "10 minutes",
        "portcullis.login.limit.max-failures-per-account",
        "2");
  }

  private static <C extends PortalApp> DropwizardTestSupport<PortalApp.Config> app(
      Class<C> application, ConfigOverride... overrides) {
    return PortalStarts.app(application, overrides);
  }

  @Test
  void logoutAndAfterLoginPaths_fromTheYamlBlock_answerOverHttp() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = loginBlock();
    TestBrowser alice = browser(support);
    HttpResponse<String> login = login(alice, "/login", "alice", "alice-pw");
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(login.headers().firstValue("Location")).hasValue("/status/whoami");

    String csrf =
        TestBrowser.csrfToken(PAGE_CSRF, alice.get("/status/whoami").body()).orElseThrow();
    HttpResponse<String> logout = alice.post("/sign-out", Map.of("_csrf", csrf));
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(alice.get("/reports").statusCode()).isEqualTo(303);
    assertThat(support.<PortalApp>getApplication().bundle.portcullis().login().endpoints())
        .satisfies(e -> {
          assertThat(e.logoutEverywherePath()).isEqualTo("/sign-out-everywhere");
          assertThat(e.termsPath()).isEqualTo("/status/terms");
        });
  }

  @Test
  void ticketLifetime_fromTheYamlBlock_endsATicketNotRenewedInTime() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = loginBlock();
    PortalApp app = support.getApplication();
    TestBrowser root = browser(support);
    assertThat(login(root, "/login", "root", "root-pw").statusCode()).isEqualTo(303);
    assertThat(root.get("/admin").statusCode()).isEqualTo(200);

    // Inside the session's idle timeout (30 minutes) and the core's default lifetime (8 hours),
    // past the block's.
    app.clock.advance(Duration.ofMinutes(11));
    HttpResponse<String> expired = root.get("/admin");
    assertThat(expired.statusCode()).isEqualTo(303);
    assertThat(expired.headers().firstValue("Location")).hasValue("/login?returnTo=%2Fadmin");
  }

  @Test
  void loginLimit_fromTheYamlBlock_refusesTheRightPasswordPastTheFailures() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = loginBlock();
    PortalApp app = support.getApplication();
    TestBrowser guesser = browser(support);
    for (int i = 0; i < 2; i++) {
      assertThat(login(guesser, "/login", "carol", "guess-" + i).headers().firstValue("Location"))
          .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
    }
    TestBrowser carol = browser(support);
    HttpResponse<String> refused = login(carol, "/login", "carol", "carol-pw");
    assertThat(refused.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
    assertThat(carol.get("/admin").statusCode()).isEqualTo(303);
    assertThat(app.bundle.portcullis().audit().flush(Duration.ofSeconds(10))).isTrue();
    app.sink.assertOnce(AuditEventType.AUTHN_LOGIN_LOCK);

    // Another account keeps its own budget (and goes to the block's after-login path).
    TestBrowser root = browser(support);
    assertThat(login(root, "/login", "root", "root-pw").headers().firstValue("Location"))
        .hasValue("/status/whoami");
  }

  @Test
  void loginSettingsOutOfRange_stopTheStart_namingTheSetting() {
    for (String[] bad : new String[][] {
      {
        "portcullis.login.limit.max-failures-per-account",
        "101",
        "portcullis.login.limit.maxFailuresPerAccount"
      },
      {
        "portcullis.login.limit.max-failures-per-account",
        "0",
        "portcullis.login.limit.maxFailuresPerAccount"
      },
      {
        "portcullis.login.limit.max-failures-per-address",
        "0",
        "portcullis.login.limit.maxFailuresPerAddress"
      },
      {"portcullis.login.limit.window", "30 seconds", "portcullis.login.limit.window"},
      {
        "portcullis.login.limit.known-address-for",
        "401 days",
        "portcullis.login.limit.knownAddressFor"
      },
      {"portcullis.login.ticket-lifetime", "2 days", "portcullis.login.ticketLifetime"},
      {"portcullis.login.ticket-lifetime", "0s", "portcullis.login.ticketLifetime"},
      {"portcullis.login.logout-path", "logout", "portcullis.login.logout-path"},
      {"portcullis.login.terms-path", "/login", "portcullis.login.terms-path"}
    }) {
      Throwable failure = PortalStarts.refused(
          bad[0] + ": " + bad[1], app(PortalApp.class, ConfigOverride.config(bad[0], bad[1])));
      assertThat(failure.getMessage()).as(bad[0] + ": " + bad[1]).contains(bad[2]);
    }
  }

  /**
   * Regression: two endpoints on one path stopped the start with {@code duplicate element: /terms} alone, the refusal of
   * the core's {@code Set.of}, which named neither the endpoints nor a setting.
   */
  @Test
  void loginPathOnTheTermsPath_stopsTheStart_sayingThePathsMustDiffer_andNamingTheSettings() {
    Throwable failure = PortalStarts.refused(
        app(PortalApp.class, ConfigOverride.config("portcullis.login.path", "/terms")));
    assertThat(failure.getMessage())
        .contains("the login, logout, logout-everywhere and terms paths must differ")
        .contains("portcullis.login.path")
        .doesNotContain("duplicate element");
  }

  /**
   * Regression: the block's login settings went to the core as one {@code Portcullis.Builder.login(...)} call, which a
   * {@code customize} that called {@code login(...)} itself replaced: the login page of {@code login.path} and {@code
   * max-pending-logouts} were dropped without a word, and the login form's {@code POST} was not a login.
   */
  @Test
  void blocksLoginSettings_stay_whenCustomizeAddsLoginSettingsOfItsOwn() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = app(
        SignInPortalApp.class,
        ConfigOverride.config("portcullis.login.path", "/signin"),
        ConfigOverride.config("portcullis.access.public-paths", "/signin,/terms,/status/**"),
        ConfigOverride.config("portcullis.login.max-pending-logouts", "7"));
    try {
      support.before();
      TestBrowser alice = browser(support);
      HttpResponse<String> login = login(alice, "/signin", "alice", "alice-pw");
      assertThat(login.statusCode()).isEqualTo(303);
      assertThat(login.headers().firstValue("Location")).hasValue("/");
      assertThat(alice.get("/reports").body()).isEqualTo("reports for u-alice");
      HttpResponse<String> anonymous = browser(support).get("/reports");
      assertThat(anonymous.headers().firstValue("Location"))
          .hasValue("/signin?returnTo=%2Freports");

      SignInPortalApp app = support.getApplication();
      assertThat(app.bundle.portcullis().login().maxPendingLogouts()).isEqualTo(7);
      assertThat(app.bundle.portcullis().login().connectionRecheckInterval())
          .isEqualTo(Duration.ofMinutes(2));
    } finally {
      support.after();
    }
  }

  private static TestBrowser browser(DropwizardTestSupport<?> support) {
    return new TestBrowser("http://127.0.0.1:" + support.getLocalPort());
  }

  private static HttpResponse<String> login(
      TestBrowser browser, String path, String user, String password) throws Exception {
    String csrf = TestBrowser.csrfToken(FORM_CSRF, browser.get(path).body()).orElse("");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", user);
    form.put("password", password);
    form.put("_csrf", csrf);
    return browser.post(path, form);
  }
}
