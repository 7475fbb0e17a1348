package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.testing.StuckAuditSink;
import dev.portcullis.transport.TransportConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An audit sink that stops returning (a network sink whose peer stopped reading) while the portal runs: stopping Jetty
 * took the filter out of service, whose {@code destroy} closed the audit log Portcullis made, which waited for the sink
 * for ever, so the server never stopped. Now {@code destroy} returns once the audit log's close timeout has passed,
 * and one ERROR line says how many events are not written. The bound of {@code assertTimeoutPreemptively} only stops a
 * hanging stop from hanging the build.
 */
class StuckAuditSinkAtShutdownTest {

  @Test
  void stuckAuditSink_filterDestroyReturns_andTheLogSaysHowManyEventsAreNotWritten()
      throws Exception {
    SecureRandom random = new SecureRandom();
    StuckAuditSink stuck = StuckAuditSink.ignoringInterrupts();
    TestJetty jetty = null;
    try {
      Portcullis portcullis = Portcullis.builder()
          .keyRing(KeyRing.builder()
              .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
              .build())
          .users(LoginPortal.alice())
          .termsVersion(LoginPortal.TERMS)
          .random(random)
          .auditSink(stuck)
          .auditCloseTimeout(Duration.ofMillis(500))
          .transport(TransportConfig.builder().developmentMode(true).build())
          .build();
      jetty = TestJetty.builder().open();
      portcullis.register(
          jetty.context("/").servlet(new LoginPortal.Pages()).handler().getServletContext());
      jetty.start();
      Browser browser = new Browser(jetty.baseUri().toString());
      assertThat(browser.login("alice", "alice-pw", true).statusCode()).isEqualTo(303);
      assertThat(stuck.awaitStuck()).as("the login's event reached the sink").isTrue();

      TestJetty running = jetty;
      jetty = null;
      String logged = CapturedStderr.during(() -> assertTimeoutPreemptively(
          Duration.ofMinutes(1),
          running::close,
          "stopping the server waited for a stuck audit sink"));

      assertThat(portcullis.audit().isOpen()).isFalse();
      List<String> errors =
          logged.lines().filter(l -> l.contains("close gave up")).toList();
      assertThat(errors).as("what was logged: %s", logged).hasSize(1);
      assertThat(errors.get(0))
          .contains("ERROR")
          .contains("waiting on sink " + StuckAuditSink.class.getName())
          .containsPattern("[1-9][0-9]* audit events are not written to every audit sink")
          .doesNotContain("alice");
    } finally {
      stuck.release();
      if (jetty != null) {
        jetty.close();
      }
    }
  }

  @Test
  void auditCloseTimeout_isRangeChecked_andRefusedWithAnAuditLogOfTheApplications()
      throws Exception {
    assertThatThrownBy(() -> Portcullis.builder().auditCloseTimeout(Duration.ofMillis(9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10 ms to one hour");
    try (AuditLog own = AuditLog.builder()
        .clock(InstantSource.system())
        .random(new SecureRandom())
        .auditSink(AuditSink.noop())
        .build()) {
      assertThatThrownBy(() -> Portcullis.builder()
              .keyRing(KeyRing.builder()
                  .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(new SecureRandom()))
                  .build())
              .users(LoginPortal.alice())
              .termsVersion(LoginPortal.TERMS)
              .auditLog(own)
              .auditCloseTimeout(Duration.ofSeconds(5))
              .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auditLog(...) and auditCloseTimeout(...) contradict each other");
    }
  }
}
