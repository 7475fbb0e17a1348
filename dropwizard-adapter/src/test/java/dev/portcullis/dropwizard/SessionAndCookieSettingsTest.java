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
import org.junit.jupiter.api.Test;

/**
 * The {@code portcullis.session} and {@code portcullis.cookies} settings of the YAML block, read by a real Dropwizard
 * start-up and seen over HTTP: the timeouts, the per-user session limit, and each cookie's name and attributes on its
 * {@code Set-Cookie} header; a bad value stops the start, naming the setting.
 */
class SessionAndCookieSettingsTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  private static DropwizardTestSupport<PortalApp.Config> app(ConfigOverride... overrides) {
    return PortalStarts.app(PortalApp.class, overrides);
  }

  @Test
  void idleTimeout_fromTheYamlBlock_endsALoginUnusedThatLong_andNotBefore() throws Exception {
    // portcullis-app.yml: idle-timeout: 30 minutes (the core's default is 20).
    DropwizardTestSupport<PortalApp.Config> support = app();
    try {
      support.before();
      PortalApp app = support.getApplication();
      TestBrowser alice = browser(support);
      assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);

      app.clock.advance(Duration.ofMinutes(25));
      assertThat(alice.get("/reports").statusCode()).isEqualTo(200);

      app.clock.advance(Duration.ofMinutes(31));
      HttpResponse<String> idle = alice.get("/reports");
      assertThat(idle.statusCode()).isEqualTo(303);
      assertThat(idle.headers().firstValue("Location")).hasValue("/login?returnTo=%2Freports");
    } finally {
      support.after();
    }
  }

  @Test
  void absoluteTimeout_fromTheYamlBlock_endsABusyLogin() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support =
        app(ConfigOverride.config("portcullis.session.absolute-timeout", "1 hour"));
    try {
      support.before();
      PortalApp app = support.getApplication();
      TestBrowser alice = browser(support);
      assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);
      for (int i = 0; i < 3; i++) {
        app.clock.advance(Duration.ofMinutes(19));
        assertThat(alice.get("/reports").statusCode())
            .as("after %d minutes", 19 * (i + 1))
            .isEqualTo(200);
      }
      app.clock.advance(
          Duration.ofMinutes(4)); // 61 minutes, each step well inside the idle timeout
      assertThat(alice.get("/reports").statusCode()).isEqualTo(303);
    } finally {
      support.after();
    }
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
    DropwizardTestSupport<PortalApp.Config> support = app(
        ConfigOverride.config("portcullis.cookies.session.name", "__Host-riverside-session"),
        ConfigOverride.config("portcullis.cookies.session.same-site", "strict"),
        ConfigOverride.config("portcullis.cookies.auth.name", "__Secure-riverside-auth"),
        ConfigOverride.config("portcullis.cookies.auth.path", "/reports"),
        ConfigOverride.config("portcullis.cookies.cookie-check.name", "riverside-cc"));
    try {
      support.before();
      TestBrowser alice = browser(support);
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
    } finally {
      support.after();
    }
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
    DropwizardTestSupport<PortalApp.Config> support = app(
        ConfigOverride.config("portcullis.session.max-per-user", "1"),
        ConfigOverride.config("portcullis.session.when-exceeded", "refuse-new"));
    try {
      support.before();
      TestBrowser first = browser(support);
      TestBrowser second = browser(support);
      assertThat(login(first, "alice", "alice-pw").headers().firstValue("Location"))
          .hasValue("/");

      HttpResponse<String> refused = login(second, "alice", "alice-pw");
      assertThat(refused.headers().firstValue("Location"))
          .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
      assertThat(second.get("/reports").statusCode()).isEqualTo(303);
      assertThat(first.get("/reports").statusCode()).isEqualTo(200);
    } finally {
      support.after();
    }
  }

  @Test
  void maxPerUserUnset_letsAUserLogInTwice() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = app();
    try {
      support.before();
      TestBrowser first = browser(support);
      TestBrowser second = browser(support);
      assertThat(login(first, "alice", "alice-pw").headers().firstValue("Location"))
          .hasValue("/");
      assertThat(login(second, "alice", "alice-pw").headers().firstValue("Location"))
          .hasValue("/");
      assertThat(first.get("/reports").statusCode()).isEqualTo(200);
      assertThat(second.get("/reports").statusCode()).isEqualTo(200);
    } finally {
      support.after();
    }
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
    DropwizardTestSupport<PortalApp.Config> support =
        app(ConfigOverride.config("portcullis.session.id-format", "aspnet"));
    try {
      support.before();
      TestBrowser alice = browser(support);
      assertThat(login(alice, "alice", "alice-pw").statusCode()).isEqualTo(303);
      assertThat(alice.cookies().get("__Host-portcullis-sid")).hasSize(24);
      assertThat(alice.get("/reports").statusCode()).isEqualTo(200);
    } finally {
      support.after();
    }
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
