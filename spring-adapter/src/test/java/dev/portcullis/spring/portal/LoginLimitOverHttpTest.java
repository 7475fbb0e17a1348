package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code portcullis.login.limit.*} in the Spring MVC test portal on embedded Tomcat, over HTTP: with two password
 * checks per account and four per address in a ten-minute window, the right password after two wrong ones is
 * refused, so is another account's first login once the address has spent its four, and both log in once the window
 * is over. Regression: the starter had no such properties, so the limit was 100 per account and 1,000 per address an
 * hour whatever the deployer needed.
 */
@SpringBootTest(
    classes = {TestPortal.class, LoginLimitOverHttpTest.Clock.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.login.limit.max-failures-per-account=2",
      "portcullis.login.limit.max-failures-per-address=4",
      "portcullis.login.limit.window=10m"
    })
class LoginLimitOverHttpTest {
  /** The portal's clock, which the test moves past the window. */
  @Configuration(proxyBeanMethods = false)
  static class Clock {
    @Bean
    InstantSource portalClock() {
      return MutableClock.startingAt2026();
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  InstantSource clock;

  @Autowired
  AuditSink sink;

  @Autowired
  AuditLog audit;

  private Browser browser() {
    return new Browser("http://127.0.0.1:" + port);
  }

  private static boolean refused(HttpResponse<String> login) {
    return login.statusCode() == 303
        && login.headers().firstValue("Location").orElse("").contains("/login?error");
  }

  @Test
  void twoPerAccountAndFourPerAddress_refuseTheRightPassword_untilTheTenMinuteWindowIsOver()
      throws Exception {
    Browser guesser = browser();
    assertThat(refused(guesser.login("alice", "guess-1"))).isTrue();
    assertThat(refused(guesser.login("alice", "guess-2"))).isTrue();
    Browser alice = browser();
    assertThat(refused(alice.login("alice", "alice-pw")))
        .as("alice's budget of two is spent: even the right password is refused")
        .isTrue();
    assertThat(alice.cookies()).doesNotContainKey(LoginCookies.DEFAULT_AUTH_COOKIE);

    assertThat(refused(guesser.login("bob", "guess-1"))).isTrue();
    assertThat(refused(guesser.login("bob", "guess-2"))).isTrue();
    Browser carol = browser();
    assertThat(refused(carol.login("carol", "carol-pw")))
        .as("the address has spent its four, though carol's own budget is untouched")
        .isTrue();
    assertThat(carol.cookies()).doesNotContainKey(LoginCookies.DEFAULT_AUTH_COOKIE);

    ((MutableClock) clock).advance(Duration.ofMinutes(11));
    assertThat(carol.login("carol", "carol-pw").headers().firstValue("Location"))
        .hasValue("/");
    assertThat(carol.get("/whoami").body()).startsWith("u-carol csrf=");
    assertThat(alice.login("alice", "alice-pw").headers().firstValue("Location"))
        .hasValue("/");
    assertThat(alice.get("/whoami").body()).startsWith("u-alice csrf=");

    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(((RecordingAuditSink) sink).events())
        .filteredOn(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_LOCK))
        .as("alice's and carol's refused logins")
        .hasSize(2);
  }
}
