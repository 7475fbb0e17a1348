package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.LoginCookies;
import dev.portcullis.session.SessionConfig;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A controller of a Spring MVC application with Spring Security that calls {@code request.changeSessionId()} while
 * its user is logged in: the user stays logged in under the new session id, and the old cookies open nothing. On
 * embedded Tomcat over real HTTP.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.audit.actions[0].pattern=/reports/{id}",
      "portcullis.audit.actions[0].action=report_view"
    })
class ChangeSessionIdOverHttpTest {
  private static final String SID = SessionConfig.DEFAULT_COOKIE_NAME;
  private static final String AUTH = LoginCookies.DEFAULT_AUTH_COOKIE;

  @LocalServerPort
  int port;

  private Browser browser() {
    return new Browser("http://127.0.0.1:" + port);
  }

  @Test
  void controllerChangingTheSessionId_keepsItsUserLoggedIn() throws Exception {
    Browser alice = browser();
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    Map<String, String> before = Map.copyOf(alice.cookies());

    HttpResponse<String> changed = alice.get("/change-session-id");

    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.body()).isEqualTo("changed u-alice");
    assertThat(alice.cookies().get(SID)).isNotEqualTo(before.get(SID));
    assertThat(alice.cookies().get(AUTH)).isNotEqualTo(before.get(AUTH));
    assertThat(alice.get("/whoami").body()).startsWith("u-alice csrf=");

    Browser oldCookies = browser();
    oldCookies.cookies().putAll(before);
    assertThat(oldCookies.get("/whoami").statusCode())
        .as("the old cookies are anonymous: sent to log in")
        .isEqualTo(303);
    assertThat(alice.get("/whoami").body()).startsWith("u-alice csrf=");
  }
}
