package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.login.LoginCookies;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis.login.cookie-check-by-session-cookie} of a WAR, on a real Jetty over HTTP: set in the settings
 * file, the login page sets the session cookie and no cookie-check cookie, and alice logs in with it; beside a
 * declared cookie-check cookie, or with a session cookie that is not Secure, the deployment fails saying so.
 * Regression: a WAR could not choose it; the name, unknown to the initializer, failed the deployment, so a ported
 * portal that may set no cookie beyond its session and auth cookies could not be a WAR.
 */
class SessionCookieCheckDeploymentTest {
  @TempDir
  Path dir;

  @Test
  void fromTheSettingsFile_theLoginPageSetsNoCookieCheckCookie_andTheSessionCookieDoesTheCheck()
      throws Exception {
    Path file = dir.resolve("portcullis.properties");
    Files.writeString(file, "portcullis.login.cookie-check-by-session-cookie=true\n");
    try (WarNode node =
        WarNode.start(WarNode.environment(dir, Map.of("PORTCULLIS_CONFIG", file.toString())))) {
      TestBrowser alice = new TestBrowser(node.base());
      HttpResponse<String> page = alice.get("/login");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(alice.cookies())
          .as("the login page's cookies")
          .containsOnlyKeys(SessionConfig.DEFAULT_COOKIE_NAME);

      assertThat(WarNode.logIn(alice).headers().firstValue("Location")).hasValue("/");
      assertThat(WarNode.whoami(alice)).isEqualTo("u-alice");
      assertThat(alice.setCookieHeaders())
          .noneMatch(h -> h.startsWith(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE + "="));

      TestBrowser blocked = new TestBrowser(node.base());
      blocked.blockCookies(true);
      HttpResponse<String> login = WarNode.logIn(blocked);
      assertThat(login.statusCode())
          .as("a login post without the session cookie gets the blocked-cookie page")
          .isEqualTo(400);
      assertThat(login.body()).contains("blocking cookies");
      assertThat(WarNode.whoami(blocked)).isEqualTo("anonymous");
    }
  }

  @Test
  void besideADeclaredCookieCheckCookie_orAPlainSessionCookie_failsTheDeployment()
      throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("PORTCULLIS_LOGIN_COOKIE_CHECK_BY_SESSION_COOKIE", "true");
    settings.put("PORTCULLIS_COOKIES_COOKIE_CHECK_NAME", "__Host-old-cc");
    Throwable failure = catchThrowable(() -> WarNode.start(WarNode.environment(dir, settings)));
    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining("portcullis.login.cookie-check-by-session-cookie=true (environment"
            + " variable PORTCULLIS_LOGIN_COOKIE_CHECK_BY_SESSION_COOKIE) and"
            + " portcullis.cookies.cookie-check.name (environment variable"
            + " PORTCULLIS_COOKIES_COOKIE_CHECK_NAME) are set");

    failure = catchThrowable(() -> WarNode.start(WarNode.environment(
        dir,
        Map.of(
            "PORTCULLIS_LOGIN_COOKIE_CHECK_BY_SESSION_COOKIE", "true",
            "PORTCULLIS_COOKIES_SESSION_NAME", "portal-sid",
            "PORTCULLIS_COOKIES_SESSION_SECURE", "false"))));
    assertThat(failure)
        .hasMessageContaining(
            "the cookie check by the session cookie needs a Secure session cookie");

    failure = catchThrowable(() -> WarNode.start(WarNode.environment(
        dir, Map.of("PORTCULLIS_LOGIN_COOKIE_CHECK_BY_SESSION_COOKIE", "yes"))));
    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining(
            "portcullis.login.cookie-check-by-session-cookie (environment variable"
                + " PORTCULLIS_LOGIN_COOKIE_CHECK_BY_SESSION_COOKIE) is not valid: expected true or false");
  }
}
