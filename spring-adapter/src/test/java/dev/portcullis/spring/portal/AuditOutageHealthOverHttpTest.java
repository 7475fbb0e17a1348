package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * An audit sink that stops taking events, in a running application on embedded Tomcat: audited actions are refused
 * with 503, and the {@code portcullis} health indicator says so (DOWN, with the failing sinks and the kept events)
 * until the sink takes events again; then both recover without a restart.
 */
@SpringBootTest(
    classes = {TestPortal.class, AuditOutageHealthOverHttpTest.FailingSink.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.audit.actions[0].pattern=/reports/{id}",
      "portcullis.audit.actions[0].action=report_view",
      "management.endpoint.health.show-details=always"
    })
class AuditOutageHealthOverHttpTest {
  /** A second audit sink, as a full disk would be: it throws while {@link #failing} is set. */
  @TestConfiguration(proxyBeanMethods = false)
  static class FailingSink {
    static final AtomicBoolean failing = new AtomicBoolean();

    @Bean
    AuditSink failingAuditSink() {
      return new AuditSink() {
        @Override
        public void accept(AuditEvent event) throws IOException {
          if (failing.get()) {
            throw new IOException("no space left on device (test)");
          }
        }
      };
    }
  }

  @LocalServerPort
  int port;

  @Test
  void aFailingAuditSink_isDownInTheHealthEndpoint_untilItTakesEventsAgain() throws Exception {
    Browser alice = new Browser("http://127.0.0.1:" + port);
    Browser probe = new Browser("http://127.0.0.1:" + port);
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(alice.get("/reports/1").statusCode()).isEqualTo(200);
    assertThat(probe.get("/actuator/health").statusCode()).isEqualTo(200);

    FailingSink.failing.set(true);
    try {
      // The next audited event meets the failing sink; audited actions are refused from then on.
      alice.get("/reports/2");
      HttpResponse<String> down = waitFor(probe, r -> r.statusCode() == 503);
      assertThat(down.statusCode())
          .as("the health endpoint while the sink fails")
          .isEqualTo(503);
      assertThat(down.body())
          .contains("\"status\":\"DOWN\"", "\"auditSinksFailing\":1", "\"auditEventsKept\":")
          .contains("\"sessionStore\":\"reachable\"");
      assertThat(alice.get("/reports/3").statusCode())
          .as("an audited action while the sink fails")
          .isEqualTo(503);
    } finally {
      FailingSink.failing.set(false);
    }

    HttpResponse<String> up = waitFor(probe, r -> r.statusCode() == 200);
    assertThat(up.body()).contains("\"auditSinksFailing\":0").doesNotContain("auditEventsKept");
    assertThat(alice.get("/reports/4").statusCode()).isEqualTo(200);
  }

  /** The health endpoint's answer once {@code until} holds, or the last answer after 20 s. */
  private static HttpResponse<String> waitFor(Browser probe, Predicate<HttpResponse<String>> until)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> health = probe.get("/actuator/health");
    while (!until.test(health) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      health = probe.get("/actuator/health");
    }
    return health;
  }
}
