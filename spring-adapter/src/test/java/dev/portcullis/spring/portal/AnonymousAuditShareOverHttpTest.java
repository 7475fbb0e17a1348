package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code portcullis.audit.anonymous-events-per-address} and {@code .anonymous-event-window} in the Spring MVC test
 * portal on embedded Tomcat, over HTTP: with one event per ten seconds, a second failed login for an unknown name from
 * the same address is withheld, and the first after the window is written again. Regression: the starter had no such
 * properties, so the share was 60 a minute whatever the deployer needed.
 */
@SpringBootTest(
    classes = {TestPortal.class, AnonymousAuditShareOverHttpTest.Clock.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.audit.anonymous-events-per-address=1",
      "portcullis.audit.anonymous-event-window=10s",
      "portcullis.audit.retry-interval=250ms"
    })
class AnonymousAuditShareOverHttpTest {
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

  @Test
  void oneEventPerTenSeconds_withholdsTheSecondFailedLogin_untilTheWindowIsOver() throws Exception {
    Browser guesser = new Browser("http://127.0.0.1:" + port);
    assertThat(guesser.login("nobody-here", "guess").statusCode()).isEqualTo(303);
    assertThat(guesser.login("nobody-here", "guess").statusCode()).isEqualTo(303);
    ((MutableClock) clock).advance(Duration.ofSeconds(11));
    assertThat(guesser.login("nobody-here", "guess").statusCode()).isEqualTo(303);

    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(((RecordingAuditSink) sink).events())
        .filteredOn(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_FAIL))
        .as("the first of each ten-second window")
        .hasSize(2);
    assertThat(audit.stats().withheld()).isEqualTo(1);
  }
}
