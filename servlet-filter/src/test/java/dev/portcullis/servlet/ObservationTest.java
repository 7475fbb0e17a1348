package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.internal.StoreObservations;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.FakeSharedStores;
import dev.portcullis.testing.MutableClock;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The filter's and the stores' Micrometer observations, through the real filter on Jetty. */
class ObservationTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  /** What a handler saw of one stopped observation. */
  record Seen(String name, Map<String, String> keyValues, Throwable error, String traceparent) {}

  /** Records every stopped observation, as a metrics or tracing handler would see it. */
  static final class RecordingHandler implements ObservationHandler<Observation.Context> {
    final List<Seen> stopped = new CopyOnWriteArrayList<>();

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onStop(Observation.Context context) {
      String traceparent = null;
      if (context instanceof ReceiverContext<?> receiver) {
        // What a propagating tracing handler reads to continue the caller's trace.
        ReceiverContext<Object> r = (ReceiverContext<Object>) receiver;
        traceparent = r.getGetter().get(r.getCarrier(), "traceparent");
      }
      Map<String, String> keyValues = StreamSupport.stream(
              context.getLowCardinalityKeyValues().spliterator(), false)
          .collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
      stopped.add(new Seen(context.getName(), keyValues, context.getError(), traceparent));
    }

    List<Seen> named(String name) {
      return stopped.stream().filter(s -> s.name().equals(name)).toList();
    }
  }

  private static ObservationRegistry registry(RecordingHandler handler) {
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(handler);
    return registry;
  }

  @Test
  void loginAndAuthenticatedRequest_areObserved_andTheAuditTraceIdIsTheRequestsTrace()
      throws Exception {
    RecordingHandler handler = new RecordingHandler();
    try (LoginPortal portal =
        new LoginPortal((p, filter) -> filter.observationRegistry(registry(handler)))) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      alice.login("alice", "wrong-pw", false);
      alice.login("alice", "alice-pw", false);
      assertThat(alice
              .send(HttpRequest.newBuilder(alice.uri("/reports/riverside/41"))
                  .header("traceparent", TRACEPARENT))
              .statusCode())
          .isEqualTo(200);
      assertThat(alice.get("/reports/hillview/42").statusCode()).isEqualTo(403);
      portal.browser().get("/whoami");

      assertThat(handler.named(FilterObservations.LOGIN))
          .extracting(s -> s.keyValues().get("outcome"))
          .containsExactly("accepted", "refused", "accepted");
      assertThat(handler.named(FilterObservations.LOGIN))
          .allMatch(s -> s.keyValues().get("method").equals("password"));

      List<Seen> requests = handler.named(FilterObservations.REQUEST);
      Seen traced = requests.stream()
          .filter(s -> TRACEPARENT.equals(s.traceparent()))
          .findFirst()
          .orElseThrow();
      assertThat(traced.keyValues()).containsEntry("outcome", "authenticated");
      assertThat(requests)
          .extracting(s -> s.keyValues().get("outcome"))
          .contains("authenticated", "anonymous", "refused");
      assertThat(requests).allMatch(s -> s.error() == null);

      AuditEvent view = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.of("report_view"), e -> e.resource().orElse("").equals("41"));
      assertThat(view.traceId()).contains(TRACE_ID);
    }
  }

  @Test
  void filterWithoutRegistry_observesNothing_andStillServes() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    registry(handler); // made, never given to the filter
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      assertThat(alice.get("/reports/riverside/41").statusCode()).isEqualTo(200);
    }
    assertThat(handler.stopped).isEmpty();
  }

  @Test
  void storeCalls_areObservedWithStoreKindAndOperation_andAnswerAsTheStoreDoes() {
    RecordingHandler handler = new RecordingHandler();
    ObservationRegistry registry = registry(handler);
    MutableClock clock = MutableClock.startingAt2026();
    SessionStore sessions = StoreObservations.sessionStore(
        CaffeineSessionStore.builder(SessionConfig.defaults(), clock)
            .executor(Runnable::run)
            .build(),
        registry);
    RevocationStore revocations =
        StoreObservations.revocations(RevocationStore.inMemory(clock), registry);

    assertThat(sessions.findByUser("u-alice")).isEmpty();
    assertThat(sessions.deleteByUser("u-alice")).isZero();
    revocations.revoke("ticket-1", Instant.parse("2026-12-31T00:00:00Z"));
    assertThat(revocations.isRevoked("ticket-1", "u-alice", clock.instant())).isTrue();
    assertThat(revocations.isRevoked("ticket-2", "u-alice", clock.instant())).isFalse();

    assertThat(handler.named(StoreObservations.STORE))
        .extracting(s -> s.keyValues().get("store") + " " + s.keyValues().get("operation"))
        .containsExactly(
            "caffeine find_by_user",
            "caffeine delete_by_user",
            "caffeine revoke",
            "caffeine is_revoked",
            "caffeine is_revoked");
  }

  @Test
  void anObservedStore_isSharedBetweenNodesExactlyWhenItsStoreIs() {
    ObservationRegistry registry = registry(new RecordingHandler());
    SessionStore inMemory = CaffeineSessionStore.builder(
            SessionConfig.defaults(), MutableClock.startingAt2026())
        .build();

    assertThat(StoreObservations.sessionStore(inMemory, registry).sharedBetweenNodes())
        .isFalse();
    assertThat(StoreObservations.sessionStore(FakeSharedStores.sessions(inMemory), registry)
            .sharedBetweenNodes())
        .isTrue();
  }

  @Test
  void failingStoreCall_isObservedAsAnError_andRethrown() {
    RecordingHandler handler = new RecordingHandler();
    IllegalStateException outage = new IllegalStateException("store down");
    SessionStore failing = new SessionStore() {
      @Override
      public java.util.Optional<dev.portcullis.session.SessionRecord> load(SessionKey key) {
        throw outage;
      }

      @Override
      public boolean save(SessionKey key, dev.portcullis.session.SessionChanges changes) {
        throw outage;
      }

      @Override
      public boolean delete(SessionKey key) {
        throw outage;
      }

      @Override
      public boolean rotate(SessionKey from, SessionKey to) {
        throw outage;
      }

      @Override
      public java.util.Set<SessionKey> findByUser(String userHandle) {
        throw outage;
      }

      @Override
      public int deleteByUser(String userHandle) {
        throw outage;
      }
    };
    SessionStore observed = StoreObservations.sessionStore(failing, registry(handler));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> observed.findByUser("u-alice"))
        .isSameAs(outage);
    Seen seen = handler.named(StoreObservations.STORE).get(0);
    assertThat(seen.error()).isSameAs(outage);
    assertThat(seen.keyValues()).containsEntry("store", "custom");
  }

  @Test
  void aStoresOneCallLookup_staysOneCall_whenBothStoresAreObserved() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    RevocationStore own = RevocationStore.inMemory(clock);
    SessionStore caffeine =
        CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build();
    SessionAndRevocationLookup.Result answer = SessionAndRevocationLookup.Result.NO_SESSION;
    // A store that answers both at once, but only together with its own revocation store.
    SessionStore combined = new SessionStore() {
      @Override
      public java.util.Optional<dev.portcullis.session.SessionRecord> load(SessionKey key) {
        return caffeine.load(key);
      }

      @Override
      public boolean save(SessionKey key, dev.portcullis.session.SessionChanges changes) {
        return caffeine.save(key, changes);
      }

      @Override
      public boolean delete(SessionKey key) {
        return caffeine.delete(key);
      }

      @Override
      public boolean rotate(SessionKey from, SessionKey to) {
        return caffeine.rotate(from, to);
      }

      @Override
      public java.util.Set<SessionKey> findByUser(String userHandle) {
        return caffeine.findByUser(userHandle);
      }

      @Override
      public int deleteByUser(String userHandle) {
        return caffeine.deleteByUser(userHandle);
      }

      @Override
      public java.util.Optional<SessionAndRevocationLookup> withRevocations(
          RevocationStore revocations) {
        return revocations == own
            ? java.util.Optional.of((key, ticketId, userHandle, issuedAt) -> answer)
            : java.util.Optional.empty();
      }
    };
    RecordingHandler handler = new RecordingHandler();
    ObservationRegistry registry = registry(handler);
    SessionStore sessions = StoreObservations.sessionStore(combined, registry);
    RevocationStore revocations = StoreObservations.revocations(own, registry);

    assertThat(sessions.withRevocations(revocations)).isPresent();
    SessionAndRevocationLookup lookup = SessionAndRevocationLookup.of(sessions, revocations);
    assertThat(lookup.load(SessionKey.fromBytes(new byte[32]), "t", "u-alice", Instant.EPOCH))
        .isSameAs(answer);
    assertThat(handler.named(StoreObservations.STORE))
        .singleElement()
        .satisfies(seen ->
            assertThat(seen.keyValues()).containsEntry("operation", "load_with_revocation"));
    assertThat(sessions.withRevocations(RevocationStore.inMemory(clock)))
        .as("another revocation store gets the two calls")
        .isEmpty();
  }
}
