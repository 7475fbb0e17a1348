package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.LoginCookies;
import dev.portcullis.session.SessionConfig;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * {@code portcullis.login.cookie-check-by-session-cookie=true} in the Spring MVC test portal on embedded Tomcat, over
 * HTTP: the login page sets the session cookie and no cookie-check cookie, a login with it succeeds, and a login post
 * without it gets the blocked-cookie page. Regression: the starter had no such property, so a ported portal that may
 * set no cookie beyond its session and auth cookies could not use the starter.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.login.cookie-check-by-session-cookie=true"
    })
class SessionCookieCheckOverHttpTest {
  @LocalServerPort
  int port;

  @Test
  void theLoginPageSetsNoCookieCheckCookie_andTheSessionCookieDoesTheCheck() throws Exception {
    Browser alice = new Browser("http://127.0.0.1:" + port);
    assertThat(alice.get("/login").statusCode()).isEqualTo(200);
    assertThat(alice.cookies())
        .as("the login page's cookies")
        .containsOnlyKeys(SessionConfig.DEFAULT_COOKIE_NAME);
    HttpResponse<String> login = alice.login("alice", "alice-pw");
    assertThat(login.headers().firstValue("Location")).hasValue("/");
    assertThat(alice.get("/whoami").body()).startsWith("u-alice csrf=");
    assertThat(alice.setCookieHeaders())
        .noneMatch(h -> h.startsWith(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE + "="));

    Browser blocked = new Browser("http://127.0.0.1:" + port);
    blocked.blockCookies(true);
    HttpResponse<String> refused = blocked.login("alice", "alice-pw");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("blocking cookies");
  }
}
