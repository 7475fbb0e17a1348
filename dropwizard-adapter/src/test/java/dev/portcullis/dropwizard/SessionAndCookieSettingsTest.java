package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The {@code portcullis.session} and {@code portcullis.cookies} settings of the YAML block, read by a real Dropwizard
 * start-up and seen over HTTP: the timeouts, the per-user session limit, and each cookie's name and attributes on its
 * {@code Set-Cookie} header; a bad value stops the start, naming the setting. The accepted settings are read by three
 * starts that the tests share ({@link SharedStarts}); each refused one is a start of its own.
 */
class SessionAndCookieSettingsTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  private static final SharedStarts STARTS = new SharedStarts();

  @AfterAll
  static void stopTheApplications() {
    STARTS.close();
  }

  /** {@code portcullis-app.yml} as it is: {@code idle-timeout: 30 minutes}, no per-user limit, the default cookies. */
  private static DropwizardTestSupport<PortalApp.Config> asWritten() throws Exception {
    return STARTS.app(PortalApp.class);
  }

  /**
   * The accepted session and cookie settings that limit no login, in one start: an absolute timeout, the ASP.NET
   * session id format, and each cookie's name and attributes.
   */
  private static DropwizardTestSupport<PortalApp.Config> tuned() throws Exception {
    return STARTS.app(
        PortalApp.class,
        "portcullis.session.absolute-timeout",
        "1 hour",
        "portcullis.session.id-format",
        "aspnet",
        "portcullis.cookies.session.name",
        "__Host-riverside-session",
        "portcullis.cookies.session.same-site",
        "strict",
        "portcullis.cookies.auth.name",
        "__Secure-riverside-auth",
        "portcullis.cookies.auth.path",
        "/reports",
        "portcullis.cookies.cookie-check.name",
        "riverside-cc");
  }

  private static DropwizardTestSupport<PortalApp.Config> app(ConfigOverride... overrides) {
    return PortalStarts.app(PortalApp.class, overrides);
  }

  @Test
  void idleTimeout_fromTheYamlBlock_endsALoginUnusedThatLong_andNotBefore() throws Exception {
    // portcullis-app.yml: idle-timeout: 30 minutes (the core's default is 20).
    DropwizardTestSupport<PortalApp.Config> support = asWritten();
    PortalApp app = support.getApplication();
    TestBrowser alice = browser(support);
    assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);

    app.clock.advance(Duration.ofMinutes(25));
    assertThat(alice.get("/reports").statusCode()).isEqualTo(200);

    app.clock.advance(Duration.ofMinutes(31));
    HttpResponse<String> idle = alice.get("/reports");
    assertThat(idle.statusCode()).isEqualTo(303);
    assertThat(idle.headers().firstValue("Location")).hasValue("/login?returnTo=%2Freports");
  }

  @Test
  void absoluteTimeout_fromTheYamlBlock_endsABusyLogin() throws Exception {
    // absolute-timeout: 1 hour
    DropwizardTestSupport<PortalApp.Config> support = tuned();
    PortalApp app = support.getApplication();
    TestBrowser alice = browser(support);
    assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);
    for (int i = 0; i < 3; i++) {
      app.clock.advance(Duration.ofMinutes(19));
      assertThat(alice.get("/reports").statusCode())
          .as("after %d minutes", 19 * (i + 1))
          .isEqualTo(200);
    }
    app.clock.advance(Duration.ofMinutes(4)); // 61 minutes, each step well inside the idle timeout
    assertThat(alice.get("/reports").statusCode()).isEqualTo(303);
  }

  @Test
  void idleTimeoutNotShorterThanTheAbsoluteTimeout_stopsTheStart_namingBothSettings() {
    Throwable failure = PortalStarts.refused(
        app(ConfigOverride.config("portcullis.session.idle-timeout", "9 hours")));
    assertThat(failure.getMessage())
        .contains("absolute timeout must be longer than the idle timeout")
        .contains("portcullis.session.idle-timeout")
        .contains("portcullis.session.absolute-timeout");
  }

  @Test
  void cookieNamesAndAttributes_fromTheYamlBlock_areOnTheSetCookieHeaders() throws Exception {
    TestBrowser alice = browser(tuned());
    assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);

    assertThat(alice.setCookieHeaders())
        .anySatisfy(h -> assertThat(h)
            .startsWith("__Host-riverside-session=")
            .contains("SameSite=Strict", "Secure", "HttpOnly", "Path=/"))
        .anySatisfy(h -> assertThat(h)
            .startsWith("__Secure-riverside-auth=")
            .contains("Path=/reports", "SameSite=Lax", "Secure", "HttpOnly"))
        .anySatisfy(h -> assertThat(h).startsWith("riverside-cc="))
        .noneSatisfy(h -> assertThat(h).contains("portcullis"));
    assertThat(alice.get("/reports").body()).isEqualTo("reports for u-alice");
  }

  @Test
  void cookieTheCoreRefuses_stopsTheStart_namingTheCookiesSettings() {
    for (String[][] bad : new String[][][] {
      {
        {"portcullis.cookies.session.same-site", "none"},
        {"portcullis.cookies.session.secure", "false"}
      },
      {{"portcullis.cookies.auth.domain", "portal.example"}},
      {{"portcullis.cookies.cookie-check.name", "bad name"}}
    }) {
      ConfigOverride[] overrides = new ConfigOverride[bad.length];
      for (int i = 0; i < bad.length; i++) {
        overrides[i] = ConfigOverride.config(bad[i][0], bad[i][1]);
      }
      String block = bad[0][0].substring(0, bad[0][0].lastIndexOf('.'));
      Throwable failure = PortalStarts.refused(block, app(overrides));
      assertThat(failure.getMessage()).as(block).contains(block + " was refused");
    }
  }

  @Test
  void unknownSameSite_stopsTheStart_namingTheSetting() {
    Throwable failure = PortalStarts.refused(
        app(ConfigOverride.config("portcullis.cookies.session.same-site", "sometimes")));
    assertThat(failure.getMessage()).contains("portcullis.cookies.session.same-site");
  }

  @Test
  void maxPerUserWithRefuseNew_fromTheYamlBlock_refusesTheLoginPastTheLimit() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = STARTS.app(
        PortalApp.class,
        "portcullis.session.max-per-user",
        "1",
        "portcullis.session.when-exceeded",
        "refuse-new");
    TestBrowser first = browser(support);
    TestBrowser second = browser(support);
    assertThat(login(first, "alice", "alice-pw").headers().firstValue("Location"))
        .hasValue("/");

    HttpResponse<String> refused = login(second, "alice", "alice-pw");
    assertThat(refused.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
    assertThat(second.get("/reports").statusCode()).isEqualTo(303);
    assertThat(first.get("/reports").statusCode()).isEqualTo(200);
  }

  @Test
  void maxPerUserUnset_letsAUserLogInTwice() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = asWritten();
    TestBrowser first = browser(support);
    TestBrowser second = browser(support);
    assertThat(login(first, "alice", "alice-pw").headers().firstValue("Location"))
        .hasValue("/");
    assertThat(login(second, "alice", "alice-pw").headers().firstValue("Location"))
        .hasValue("/");
    assertThat(first.get("/reports").statusCode()).isEqualTo(200);
    assertThat(second.get("/reports").statusCode()).isEqualTo(200);
  }

  @Test
  void sessionSettingsOutOfRange_stopTheStart_namingTheSetting() {
    for (String[] bad : new String[][] {
      {"portcullis.session.max-per-user", "0", "portcullis.session.maxPerUser"},
      {"portcullis.session.max-sessions", "0", "portcullis.session.maxSessions"},
      {
        "portcullis.session.anonymous-sessions-per-address",
        "0",
        "portcullis.session.anonymousSessionsPerAddress"
      },
      {
        "portcullis.session.anonymous-session-window",
        "10 milliseconds",
        "portcullis.session.anonymousSessionWindow"
      },
      {"portcullis.session.tracked-addresses", "-1", "portcullis.session.trackedAddresses"},
      {"portcullis.session.id-format", "hex", "portcullis.session.id-format"},
      {"portcullis.session.when-exceeded", "refuse-new", "portcullis.session.when-exceeded"}
    }) {
      Throwable failure = PortalStarts.refused(bad[0], app(ConfigOverride.config(bad[0], bad[1])));
      assertThat(failure.getMessage()).as(bad[0]).contains(bad[2]);
    }
  }

  @Test
  void idFormatAspnet_fromTheYamlBlock_givesTwentyFourCharacterSessionIds() throws Exception {
    // id-format: aspnet, under the session cookie's name from the same start
    TestBrowser alice = browser(tuned());
    assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(alice.cookies().get("__Host-riverside-session")).hasSize(24);
    assertThat(alice.get("/reports").statusCode()).isEqualTo(200);
  }

  static TestBrowser browser(DropwizardTestSupport<?> support) {
    return new TestBrowser("http://127.0.0.1:" + support.getLocalPort());
  }

  static HttpResponse<String> login(TestBrowser browser, String user, String password)
      throws Exception {
    String csrf = TestBrowser.csrfToken(FORM_CSRF, browser.get("/login").body()).orElse("");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", user);
    form.put("password", password);
    form.put("_csrf", csrf);
    return browser.post("/login", form);
  }
}
