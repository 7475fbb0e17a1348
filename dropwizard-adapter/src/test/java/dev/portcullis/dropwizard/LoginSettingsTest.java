package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code portcullis.login} and {@code portcullis.csrf} settings of the YAML block reach the running application's
 * login and filter. The accepted values are read from two starts that the tests share ({@link SharedStarts}): one with
 * every setting of {@link #set()}, one with none of them; each refused value is a start of its own.
 */
class LoginSettingsTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern PAGE_CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private static final SharedStarts STARTS = new SharedStarts();

  @AfterAll
  static void stopTheApplications() {
    STARTS.close();
  }

  /** The application with each setting these tests read, all in one start. */
  private static PortalApp set() throws Exception {
    return setStart().getApplication();
  }

  /** The start of {@link #set()}. */
  private static DropwizardTestSupport<PortalApp.Config> setStart() throws Exception {
    return STARTS.app(
        PortalApp.class,
        "portcullis.login.max-concurrent-password-checks",
        "3",
        "portcullis.login.max-form-reads-per-address",
        "4",
        "portcullis.login.max-anonymous-form-reads",
        "5",
        "portcullis.login.connection-recheck-interval",
        "1s",
        "portcullis.cookies.name-prefix",
        "staff",
        "portcullis.login.cookie-check-by-session-cookie",
        "true",
        "portcullis.login.limit.max-tracked",
        "2500",
        "portcullis.csrf.trusted-origins",
        "https://apply.example,https://forms.example:8443");
  }

  /** The application with none of the settings these tests read ({@code portcullis-app.yml} as it is). */
  private static PortalApp unset() throws Exception {
    return STARTS.app(PortalApp.class).getApplication();
  }

  private static DropwizardTestSupport<PortalApp.Config> app(ConfigOverride... overrides) {
    return PortalStarts.app(PortalApp.class, overrides);
  }

  @Test
  void maxConcurrentPasswordChecks_fromTheYamlBlock_boundsTheLogin() throws Exception {
    // max-concurrent-password-checks: 3
    PortalApp app = set();
    assertThat(app.bundle.portcullis().login().maxConcurrentPasswordChecks()).isEqualTo(3);
  }

  @Test
  void maxConcurrentPasswordChecks_unset_isTheCoreDefault() throws Exception {
    PortalApp app = unset();
    assertThat(app.bundle.portcullis().login().maxConcurrentPasswordChecks())
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
  }

  @Test
  void maxConcurrentPasswordChecks_belowOne_stopsTheStart_namingTheSetting() {
    Throwable failure = PortalStarts.refused(
        app(ConfigOverride.config("portcullis.login.max-concurrent-password-checks", "0")));
    assertThat(failure.getMessage())
        .contains("portcullis.login.maxConcurrentPasswordChecks")
        .contains("must be greater than or equal to 1");
  }

  @Test
  void maxTracked_fromTheYamlBlock_boundsTheLoginLimitsTable() throws Exception {
    // limit.max-tracked: 2500
    PortalApp app = set();
    assertThat(app.bundle.portcullis().login().loginLimitMaxTracked()).hasValue(2500);
  }

  @Test
  void maxTracked_unset_isTheCoreDefault() throws Exception {
    PortalApp app = unset();
    assertThat(app.bundle.portcullis().login().loginLimitMaxTracked())
        .hasValue(LoginThrottle.DEFAULT_MAX_TRACKED);
  }

  @Test
  void maxTracked_outOfRange_stopsTheStart_namingTheSetting() {
    for (String[] bad : new String[][] {
      {"999", "must be greater than or equal to 1000"},
      {"10000001", "must be less than or equal to 10000000"}
    }) {
      Throwable failure = PortalStarts.refused(
          bad[0], app(ConfigOverride.config("portcullis.login.limit.max-tracked", bad[0])));
      assertThat(failure.getMessage())
          .as(bad[0])
          .contains("portcullis.login.limit.maxTracked")
          .contains(bad[1]);
    }
  }

  /** Beside the redis or the jdbc block the limit is not in this node's memory: refused before a store is reached. */
  @Test
  void maxTracked_besideTheRedisOrJdbcBlock_stopsTheStart_namingTheSetting() {
    for (ConfigOverride store : new ConfigOverride[] {
      ConfigOverride.config("portcullis.redis.uri", "redis://127.0.0.1:1"),
      ConfigOverride.config("portcullis.jdbc.apply-schema", "false")
    }) {
      Throwable failure = PortalStarts.refused(
          app(store, ConfigOverride.config("portcullis.login.limit.max-tracked", "5000")));
      assertThat(failure.getMessage())
          .contains(
              "portcullis.login.limit.max-tracked is set, but the redis or jdbc block keeps the"
                  + " login limit in the store the nodes share");
    }
  }

  @Test
  void maxFormReadsPerAddress_fromTheYamlBlock_boundsTheFiltersFormReads() throws Exception {
    // max-form-reads-per-address: 4
    PortalApp app = set();
    assertThat(app.bundle.portcullis().filter().maxFormReadsPerAddress()).isEqualTo(4);
  }

  @Test
  void maxFormReadsPerAddress_unset_is16() throws Exception {
    PortalApp app = unset();
    assertThat(app.bundle.portcullis().filter().maxFormReadsPerAddress()).isEqualTo(16);
  }

  @Test
  void maxFormReadsPerAddress_belowOne_stopsTheStart_namingTheSetting() {
    for (String bad : new String[] {"0", "-4"}) {
      Throwable failure = PortalStarts.refused(
          bad, app(ConfigOverride.config("portcullis.login.max-form-reads-per-address", bad)));
      assertThat(failure.getMessage())
          .contains("portcullis.login.maxFormReadsPerAddress")
          .contains("must be greater than or equal to 1");
    }
  }

  @Test
  void maxAnonymousFormReads_fromTheYamlBlock_boundsTheFiltersAnonymousFormReads()
      throws Exception {
    // max-anonymous-form-reads: 5
    PortalApp app = set();
    assertThat(app.bundle.portcullis().filter().maxAnonymousFormReads()).isEqualTo(5);
  }

  @Test
  void maxAnonymousFormReads_unset_is32() throws Exception {
    PortalApp app = unset();
    assertThat(app.bundle.portcullis().filter().maxAnonymousFormReads()).isEqualTo(32);
  }

  @Test
  void maxAnonymousFormReads_belowOne_stopsTheStart_namingTheSetting() {
    for (String bad : new String[] {"0", "-4"}) {
      Throwable failure = PortalStarts.refused(
          bad, app(ConfigOverride.config("portcullis.login.max-anonymous-form-reads", bad)));
      assertThat(failure.getMessage())
          .contains("portcullis.login.maxAnonymousFormReads")
          .contains("must be greater than or equal to 1");
    }
  }

  @Test
  void cookieNamePrefix_fromTheYamlBlock_namesTheFiltersCookies() throws Exception {
    // name-prefix: staff
    PortalApp app = set();
    assertThat(app.bundle.portcullis().filter().cookies())
        .extracting(CookieSpec::name)
        .contains("__Host-staff-sid", "__Host-staff-auth")
        .noneMatch(name -> name.contains("portcullis"));
  }

  @Test
  void cookieCheckBySessionCookie_fromTheYamlBlock_setsNoCookieCheckCookie_andTheLoginStillWorks()
      throws Exception {
    // cookie-check-by-session-cookie: true (with name-prefix: staff)
    DropwizardTestSupport<PortalApp.Config> support = setStart();
    assertThat(support.<PortalApp>getApplication().bundle.portcullis().login().cookies())
        .satisfies(c -> assertThat(c.cookieCheckBySessionCookie()).isTrue())
        .satisfies(c -> assertThat(c.cookieCheckCookie()).isEmpty());
    TestBrowser alice = new TestBrowser("http://127.0.0.1:" + support.getLocalPort());
    assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(alice.setCookieHeaders())
        .anySatisfy(h -> assertThat(h).startsWith("__Host-staff-sid="))
        .noneSatisfy(h -> assertThat(h).startsWith("__Host-staff-cc="));
    assertThat(alice.get("/reports").statusCode()).isEqualTo(200);

    // Without a session cookie the login form is refused: the session cookie did the check.
    TestBrowser blocked = new TestBrowser("http://127.0.0.1:" + support.getLocalPort());
    String csrf = TestBrowser.csrfToken(FORM_CSRF, blocked.get("/login").body()).orElse("");
    blocked.cookies().clear();
    HttpResponse<String> refused =
        blocked.post("/login", Map.of("username", "alice", "password", "alice-pw", "_csrf", csrf));
    assertThat(refused.statusCode()).isNotEqualTo(303);

    // Unset: the cookie-check cookie is there.
    assertThat(unset().bundle.portcullis().login().cookies().cookieCheckBySessionCookie())
        .isFalse();
  }

  @Test
  void cookieCheckBySessionCookie_besideACookieCheckCookie_stopsTheStart_namingBothSettings() {
    Throwable failure = PortalStarts.refused(app(
        ConfigOverride.config("portcullis.login.cookie-check-by-session-cookie", "true"),
        ConfigOverride.config("portcullis.cookies.cookie-check.name", "riverside-cc")));
    assertThat(failure.getMessage())
        .contains("portcullis.login.cookie-check-by-session-cookie: true")
        .contains("portcullis.cookies.cookie-check");
  }

  @Test
  void
      cookieCheckBySessionCookie_withASessionCookieThatIsNotSecure_stopsTheStart_namingBothSettings() {
    Throwable failure = PortalStarts.refused(app(
        ConfigOverride.config("portcullis.login.cookie-check-by-session-cookie", "true"),
        ConfigOverride.config("portcullis.cookies.session.name", "riverside-sid"),
        ConfigOverride.config("portcullis.cookies.session.secure", "false")));
    assertThat(failure.getMessage())
        .contains("needs a Secure session cookie")
        .contains("portcullis.login.cookie-check-by-session-cookie: true")
        .contains("portcullis.cookies.session.secure");
  }

  @Test
  void csrfTrustedOrigins_fromTheYamlBlock_reachTheFilter() throws Exception {
    // trusted-origins: https://apply.example,https://forms.example:8443
    PortalApp app = set();
    assertThat(app.bundle.portcullis().filter().trustedOrigins())
        .containsExactly("https://apply.example", "https://forms.example:8443");
  }

  @Test
  void csrfTrustedOrigin_withAPath_stopsTheStart() {
    DropwizardTestSupport<PortalApp.Config> support = app(
        ConfigOverride.config("portcullis.csrf.trusted-origins", "https://apply.example/forms"));
    try {
      Throwable failure = catchThrowable(support::before);
      assertThat(failure).isNotNull();
      assertThat(failure)
          .rootCause()
          .hasMessageContaining(
              "the trusted origin 'https://apply.example/forms' is not an origin");
    } finally {
      support.after();
    }
  }

  @Test
  void maxPendingLogouts_fromTheYamlBlock_reachesTheFilter_andTheHealthCheckShowsWhatIsPending()
      throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = new DropwizardTestSupport<>(
        RefusingRevocationsApp.class,
        ResourceHelpers.resourceFilePath("portcullis-app.yml"),
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()),
        ConfigOverride.config("portcullis.login.max-pending-logouts", "1"));
    try {
      support.before();
      RefusingRevocationsApp app = support.getApplication();
      TestBrowser alice = new TestBrowser("http://127.0.0.1:" + support.getLocalPort());
      TestBrowser carol = new TestBrowser("http://127.0.0.1:" + support.getLocalPort());
      assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);
      assertThat(login(carol, "carol", "carol-pw").statusCode()).isEqualTo(303);
      TestBrowser admin = new TestBrowser("http://127.0.0.1:" + support.getAdminPort());
      assertThat(admin.get("/healthcheck").body())
          .contains("\"pendingLogouts\":0", "\"pendingLogoutsDropped\":0");

      app.revocationWritesFail.set(true);
      assertThat(logout(alice).statusCode()).isEqualTo(303);
      assertThat(logout(carol).statusCode()).isEqualTo(303);

      assertThat(app.bundle.portcullis().audit().flush(Duration.ofSeconds(10))).isTrue();
      AuditEvent dropped = app.sink.assertOnce(
          AuditEventType.LOGOUT, e -> e.reason().orElse("").startsWith("pending logout dropped"));
      assertThat(dropped.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
      assertThat(dropped.reason())
          .hasValueSatisfying(r -> assertThat(r).contains("1 logouts already pending"));
      String health = admin.get("/healthcheck").body();
      assertThat(health)
          .contains(
              "\"pendingLogouts\":1",
              "\"pendingLogoutsDropped\":1",
              "\"oldestPendingLogoutSeconds\":0",
              "1 logout(s) pending");
    } finally {
      support.after();
    }
  }

  @Test
  void maxPendingLogouts_zeroOrAbsurd_stopsTheStart_namingTheSetting() {
    for (String[] bad : new String[][] {
      {"0", "must be greater than or equal to 1"},
      {"-5", "must be greater than or equal to 1"},
      {"1000001", "must be less than or equal to 1000000"}
    }) {
      Throwable failure = PortalStarts.refused(
          bad[0], app(ConfigOverride.config("portcullis.login.max-pending-logouts", bad[0])));
      assertThat(failure.getMessage())
          .as(bad[0])
          .contains("portcullis.login.maxPendingLogouts")
          .contains(bad[1]);
    }
  }

  @Test
  void connectionRecheckInterval_fromTheYamlBlock_reachesTheLogin_andUnsetIsTheCoreDefault()
      throws Exception {
    // connection-recheck-interval: 1s
    PortalApp app = set();
    assertThat(app.bundle.portcullis().login().connectionRecheckInterval())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(unset().bundle.portcullis().login().connectionRecheckInterval())
        .isEqualTo(OpenConnections.DEFAULT_INTERVAL);
  }

  @Test
  void
      connectionRecheckInterval_outsideOneSecondToOneHour_orMalformed_stopsTheStart_namingTheSetting() {
    for (String[] bad : new String[][] {
      {"999 milliseconds", "must be greater than or equal to 1 SECONDS"},
      {"0s", "must be greater than or equal to 1 SECONDS"},
      {"61 minutes", "must be less than or equal to 1 HOURS"},
      {"often", "Failed to parse configuration"}
    }) {
      Throwable failure = PortalStarts.refused(
          bad[0],
          app(ConfigOverride.config("portcullis.login.connection-recheck-interval", bad[0])));
      assertThat(failure.getMessage())
          .as(bad[0])
          .containsAnyOf(
              "portcullis.login.connectionRecheckInterval",
              "portcullis.login.connection-recheck-interval")
          .contains(bad[1]);
    }
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

  private static HttpResponse<String> logout(TestBrowser browser) throws Exception {
    String csrf =
        TestBrowser.csrfToken(PAGE_CSRF, browser.get("/status/whoami").body()).orElseThrow();
    return browser.post("/logout", Map.of("_csrf", csrf));
  }
}
