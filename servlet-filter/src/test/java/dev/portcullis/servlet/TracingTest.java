package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTraceContextBuilder;
import io.micrometer.tracing.test.simple.SimpleTracer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Spans, meters and audit trace ids for a login and an authenticated request, through {@link Portcullis#builder()}
 * on a real Jetty with Micrometer's test observation registry, its meter handler and an in-memory tracer whose
 * tracing handlers are set up as an application sets up Micrometer Tracing.
 */
class TracingTest {
  private static final String TERMS = LoginPortal.TERMS;
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01";
  private static final AuditEventType REPORT_VIEW = AuditEventType.of("report_view");

  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SimpleTracer tracer = new SimpleTracer();
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final TestObservationRegistry observations = TestObservationRegistry.create();
  private final RecordingAuditSink audited = new RecordingAuditSink();
  private final AuditLog audit =
      AuditLog.builder().clock(clock).random(random).auditSink(audited).build();
  private TestJetty jetty;
  private Portcullis portcullis;

  TracingTest() {
    // The meter handler first: once a span has ended, its observation's timer has been recorded.
    observations
        .observationConfig()
        .observationHandler(new DefaultMeterObservationHandler(meters))
        .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
            new PropagatingReceiverTracingObservationHandler<>(tracer, new W3cPropagator(tracer)),
            new DefaultTracingObservationHandler(tracer)));
  }

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.close();
    }
    if (portcullis != null) {
      portcullis.close();
    }
    audit.close();
  }

  /** What an application with Micrometer Tracing passes: the current span's trace id. */
  private Supplier<String> currentTraceId() {
    return () -> {
      Span span = tracer.currentSpan();
      return span == null ? null : span.context().traceId();
    };
  }

  private Browser start(Supplier<String> currentTraceId) throws Exception {
    InMemoryUserDirectory users = LoginPortal.alice();
    Portcullis.Builder builder = Portcullis.builder()
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build())
        .users(users)
        .termsVersion(TERMS)
        .clock(clock)
        .random(random)
        .auditLog(audit)
        .auditRules(AuditRules.builder().action("/reports/{id}", "report_view").build())
        .transport(TransportConfig.builder().developmentMode(true).build())
        .observationRegistry(observations);
    if (currentTraceId != null) {
      builder.currentTraceId(currentTraceId);
    }
    portcullis = builder.build();
    jetty = TestJetty.builder().open();
    portcullis.register(jetty.context("/").servlet(new Pages()).handler().getServletContext());
    jetty.start();
    return new Browser(jetty.baseUri().toString());
  }

  private List<SimpleSpan> spans(String name) {
    return tracer.getSpans().stream().filter(s -> name.equals(s.getName())).toList();
  }

  /**
   * The ended spans named {@code name}, waiting for the first: the request's span ends after the response has been
   * sent, so the client may see the response first.
   */
  private List<SimpleSpan> ended(String name) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<SimpleSpan> found = endedNow(name);
    while (found.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
      found = endedNow(name);
    }
    assertThat(found).as("ended spans named " + name).isNotEmpty();
    return found;
  }

  /** The ended spans named {@code name} in the trace {@code traceId} (W3C form), waiting for the first. */
  private List<SimpleSpan> endedInTrace(String name, String traceId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<SimpleSpan> found;
    do {
      found = endedNow(name).stream()
          .filter(s -> w3c(s.getTraceId()).equals(traceId))
          .toList();
      if (found.isEmpty()) {
        Thread.sleep(10);
      }
    } while (found.isEmpty() && System.nanoTime() < deadline);
    return found;
  }

  private List<SimpleSpan> endedNow(String name) {
    return spans(name).stream()
        .filter(s -> s.getEndTimestamp() != null && s.getEndTimestamp().toEpochMilli() > 0)
        .toList();
  }

  private AuditEvent flushedOnce(AuditEventType type) throws InterruptedException {
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    return audited.assertOnce(type);
  }

  @Test
  void loginAndAuthenticatedRequest_makeSpansAndMeters_andAuditTheTracersTraceId()
      throws Exception {
    Browser alice = start(currentTraceId());
    alice.openLoginPage();
    tracer.getSpans().clear();
    assertThat(alice.login("alice", "alice-pw", true).statusCode()).isEqualTo(303);
    SimpleSpan loginRequest = ended("portcullis POST").get(0);
    AuditEvent loggedIn = flushedOnce(AuditEventType.AUTHN_LOGIN_SUCCESS);

    assertThat(alice.get("/reports/41").statusCode()).isEqualTo(200);
    AuditEvent viewed = flushedOnce(REPORT_VIEW);

    // A new trace for each request (no traceparent): the audit events carry the span's trace id,
    // the in-memory tracer's 64-bit id in its W3C form.
    assertThat(loggedIn.traceId()).contains(w3c(loginRequest.getTraceId()));
    assertThat(viewed.traceId()).isPresent().isNotEqualTo(loggedIn.traceId());
    assertThat(endedInTrace("portcullis GET", viewed.traceId().orElseThrow()))
        .as("the viewed page's request span, in the audit event's trace")
        .singleElement()
        .satisfies(span -> assertThat(span.getParentId()).as("a new trace").isNullOrEmpty());
    assertThat(loginRequest.getParentId()).as("a new trace").isNullOrEmpty();

    assertThat(meters.get("portcullis.login").tag("outcome", "accepted").timer().count())
        .isEqualTo(1);
    assertThat(meters
            .get("portcullis.request")
            .tag("outcome", "authenticated")
            .timer()
            .count())
        .isGreaterThanOrEqualTo(1);
    assertThat(meters.get("portcullis.store").tag("store", "caffeine").timers())
        .isNotEmpty()
        .allSatisfy(t -> assertThat(t.count()).isPositive());
    TestObservationRegistryAssert.assertThat(observations)
        .hasObservationWithNameEqualTo("portcullis.login")
        .that()
        .hasLowCardinalityKeyValue("outcome", "accepted")
        .hasBeenStarted()
        .hasBeenStopped();
  }

  @Test
  void theLoginAndStoreSpans_areChildrenOfTheRequestSpan() throws Exception {
    Browser alice = start(currentTraceId());
    alice.openLoginPage();
    tracer.getSpans().clear();
    alice.login("alice", "alice-pw", true);

    SimpleSpan request = ended("portcullis POST").get(0);
    SimpleSpan login = ended("portcullis.login").get(0);
    assertThat(login.getTraceId()).isEqualTo(request.getTraceId());
    assertThat(login.getParentId()).isEqualTo(request.getSpanId());
    assertThat(spans("portcullis.store"))
        .isNotEmpty()
        .allSatisfy(store -> assertThat(store.getTraceId()).isEqualTo(request.getTraceId()))
        .allSatisfy(store -> assertThat(store.getTags()).containsKeys("store", "operation"));
  }

  @Test
  void withATraceparent_theSpanIsTheCallersChild_andTheAuditTraceIdIsTheCallers() throws Exception {
    Browser alice = start(currentTraceId());
    alice.login("alice", "alice-pw", true);
    tracer.getSpans().clear();
    assertThat(alice
            .send(
                HttpRequest.newBuilder(alice.uri("/reports/41")).header("traceparent", TRACEPARENT))
            .statusCode())
        .isEqualTo(200);

    assertThat(endedInTrace("portcullis GET", TRACE_ID))
        .as("the request's span continues the caller's trace")
        .singleElement()
        .satisfies(span -> assertThat(span.getParentId()).isEqualTo(CALLER_SPAN));
    assertThat(flushedOnce(REPORT_VIEW).traceId()).contains(TRACE_ID);
  }

  @Test
  void withoutTheTracersTraceId_aRequestWithoutTraceparentHasNoAuditTraceId() throws Exception {
    Browser alice = start(null);
    alice.login("alice", "alice-pw", true);
    assertThat(alice.get("/reports/41").statusCode()).isEqualTo(200);
    assertThat(ended("portcullis GET")).as("the tracer still makes spans").isNotEmpty();
    assertThat(flushedOnce(REPORT_VIEW).traceId()).isEmpty();
  }

  @Test
  void aTracerThatFailsOrAnswersNonsense_leavesTheHeadersTraceId_andTheRequestServed()
      throws Exception {
    Browser alice = start(() -> {
      throw new IllegalStateException("tracer down");
    });
    alice.login("alice", "alice-pw", true);
    assertThat(alice
            .send(
                HttpRequest.newBuilder(alice.uri("/reports/41")).header("traceparent", TRACEPARENT))
            .statusCode())
        .isEqualTo(200);
    assertThat(flushedOnce(REPORT_VIEW).traceId()).contains(TRACE_ID);
  }

  @Test
  void tracerTraceIds_areTakenInTheirW3cForm_orNotAtAll() {
    assertThat(TraceParent.fromTracer(TRACE_ID)).isEqualTo(TRACE_ID);
    assertThat(TraceParent.fromTracer("a3ce929d0e0e4736"))
        .isEqualTo("0000000000000000a3ce929d0e0e4736");
    assertThat(TraceParent.fromTracer(null)).isNull();
    assertThat(TraceParent.fromTracer("0".repeat(32))).isNull();
    assertThat(TraceParent.fromTracer("0".repeat(16))).isNull();
    assertThat(TraceParent.fromTracer(TRACE_ID.toUpperCase(java.util.Locale.ROOT)))
        .isNull();
    assertThat(TraceParent.fromTracer(TRACE_ID.substring(1))).isNull();
    assertThat(TraceParent.fromTracer("4bf92f3577b34da6a3ce929d0e0e473g")).isNull();
  }

  @Test
  void theTracersTraceId_withoutAnObservationRegistry_isRefused() {
    assertThatThrownBy(
            () -> PortcullisFilter.builder().currentTraceId(() -> TRACE_ID).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("observationRegistry");
  }

  private static String w3c(String tracerId) {
    return tracerId.length() == 16 ? "0".repeat(16) + tracerId : tracerId;
  }

  /** The W3C {@code traceparent} propagation for the in-memory tracer, which brings none of its own. */
  private record W3cPropagator(SimpleTracer tracer) implements Propagator {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public List<String> fields() {
      return List.of(TraceParent.HEADER);
    }

    @Override
    public <C> void inject(TraceContext context, C carrier, Setter<C> setter) {
      setter.set(
          carrier, TraceParent.HEADER, "00-" + context.traceId() + "-" + context.spanId() + "-01");
    }

    @Override
    public <C> Span.Builder extract(C carrier, Getter<C> getter) {
      String value = getter.get(carrier, TraceParent.HEADER);
      if (TraceParent.traceId(value) == null) {
        // A new trace: the in-memory tracer's builder takes its trace id from a parent context.
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return tracer
            .spanBuilder()
            .setParent(new SimpleTraceContextBuilder()
                .traceId(HexFormat.of().formatHex(id))
                .sampled(true)
                .build());
      }
      return tracer
          .spanBuilder()
          .setParent(new SimpleTraceContextBuilder()
              .traceId(value.substring(3, 35))
              .spanId(value.substring(36, 52))
              .sampled(true)
              .build());
    }
  }

  /** {@code /login} shows the CSRF token as the test browser expects; other pages their path. */
  private static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
      resp.getWriter()
          .print(req.getRequestURI().equals("/login") ? "login page csrf=" + csrf : "page");
    }
  }
}
