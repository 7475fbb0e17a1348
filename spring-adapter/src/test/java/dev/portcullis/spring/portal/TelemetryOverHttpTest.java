package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.testing.RecordingAuditSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The starter's telemetry in a running application with Spring Boot's own observation registry and meter registry
 * (from the actuator) and an in-memory Micrometer Tracing tracer: the stores' calls are observed and timed, the
 * session gauge is bound, and the audit events carry the trace id of the request's span.
 */
@SpringBootTest(
    classes = {TestPortal.class, TelemetryOverHttpTest.Tracing.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.audit.actions[0].pattern=/reports/{id}",
      "portcullis.audit.actions[0].action=report_view"
    })
class TelemetryOverHttpTest {
  /** An application's tracing set-up: a tracer and its observation handler, as beans Spring Boot picks up. */
  @TestConfiguration(proxyBeanMethods = false)
  static class Tracing {
    @Bean
    SimpleTracer testTracer() {
      return new SimpleTracer();
    }

    @Bean
    DefaultTracingObservationHandler testTracingHandler(SimpleTracer tracer) {
      return new DefaultTracingObservationHandler(tracer);
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  MeterRegistry meters;

  @Autowired
  SimpleTracer tracer;

  @Autowired
  AuditSink sink;

  @Autowired
  AuditLog audit;

  @Test
  void aLoginAndAnAuthenticatedRequest_areObservedAndTimed_withTheStoresCalls() throws Exception {
    Browser alice = new Browser("http://127.0.0.1:" + port);
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(alice.get("/reports/7").statusCode()).isEqualTo(200);

    assertThat(meters
            .get("portcullis.store")
            .tags("store", "caffeine", "operation", "save")
            .timer()
            .count())
        .isPositive();
    assertThat(meters
            .get("portcullis.store")
            .tags("store", "caffeine", "operation", "is_revoked")
            .timers())
        .as("the revocation store's calls")
        .isNotEmpty();
    assertThat(meters.get("portcullis.login").tag("outcome", "accepted").timer().count())
        .isPositive();
    assertThat(
            meters.get("portcullis.sessions.active").tag("kind", "user").gauge().value())
        .isPositive();

    // The filter audits the action after the application has answered, so the client can have
    // its response before the event is queued: wait for it, then hold it to exactly one.
    awaitRecorded(AuditEventType.of("report_view"));
    AuditEvent viewed = ((RecordingAuditSink) sink)
        .assertOnce(
            AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("7"));
    assertThat(viewed.traceId()).isPresent();
    assertThat(awaitEndedInTrace("portcullis GET", viewed.traceId().orElseThrow()))
        .as("the request's span, in the audit event's trace")
        .isNotEmpty();
    assertThat(tracer.getSpans())
        .filteredOn(s -> "portcullis.store".equals(s.getName()))
        .isNotEmpty();
  }

  /** Waits up to 20 s until the audit sink has an event of {@code type}, flushing the log between looks. */
  private void awaitRecorded(AuditEventType type) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (((RecordingAuditSink) sink).events().stream().noneMatch(e -> e.type().equals(type))
        && System.nanoTime() < deadline) {
      assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
      Thread.sleep(10);
    }
  }

  /**
   * The ended spans named {@code name} in the trace {@code traceId} (W3C form), waiting for the first: a request's
   * span ends after the client has its response.
   */
  private List<SimpleSpan> awaitEndedInTrace(String name, String traceId)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<SimpleSpan> ended;
    do {
      ended = tracer.getSpans().stream()
          .filter(s -> name.equals(s.getName())
              && s.getEndTimestamp().toEpochMilli() > 0
              && w3c(s.getTraceId()).equals(traceId))
          .toList();
      if (ended.isEmpty()) {
        Thread.sleep(10);
      }
    } while (ended.isEmpty() && System.nanoTime() < deadline);
    return ended;
  }

  private static String w3c(String tracerId) {
    return tracerId.length() == 16 ? "0".repeat(16) + tracerId : tracerId;
  }
}
