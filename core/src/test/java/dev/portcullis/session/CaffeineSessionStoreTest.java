package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class CaffeineSessionStoreTest extends SessionStoreContractTest {
  private static final Duration TIMER_WHEEL_SLACK = Duration.ofSeconds(2);
  private final List<SessionEvent> expired = new CopyOnWriteArrayList<>();
  private final Instant start = clock.instant();

  @Override
  protected SessionStore createStore(SessionConfig config, InstantSource clock) {
    return recording(config, clock, Runnable::run);
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return false;
  }

  /** A store whose {@code session_expired} notices go to {@link #expired}, handed over by {@code executor}. */
  private CaffeineSessionStore recording(
      SessionConfig config, InstantSource clock, Executor executor) {
    return CaffeineSessionStore.builder(config, clock)
        .executor(executor)
        .listener(new SessionListener() {
          @Override
          public void sessionExpired(SessionEvent event) {
            expired.add(event);
          }
        })
        .build();
  }

  private CaffeineSessionStore caffeine() {
    return (CaffeineSessionStore) store;
  }

  @Test
  void idleExpiry_isReportedAsSessionExpiredWithTheUser() {
    SessionKey key = storedSession(Map.of());
    store.save(key, login("alice"));
    advance(IDLE.minusMillis(1));
    caffeine().cleanUp();
    assertThat(expired).isEmpty();

    // Maintenance works in timer-wheel buckets of about a second; reads are exact (see the contract
    // tests).
    advance(Duration.ofMillis(1).plus(TIMER_WHEEL_SLACK));
    caffeine().cleanUp();

    assertThat(expired).hasSize(1);
    SessionEvent event = expired.get(0);
    assertThat(event.type().vocabularyName()).isEqualTo("session_expired");
    assertThat(event.reason()).isEqualTo(SessionEvent.Reason.IDLE_TIMEOUT);
    assertThat(event.userHandle()).contains("alice");
    assertThat(event.at()).isEqualTo(clock.instant());
  }

  @Test
  void absoluteExpiry_isReportedWithItsReason() {
    SessionKey key = storedSession(Map.of());
    while (clock.instant().plus(IDLE).isBefore(start.plus(ABSOLUTE))) {
      advance(IDLE.minusMinutes(1));
      store.load(key);
    }
    advance(IDLE.plus(TIMER_WHEEL_SLACK));
    caffeine().cleanUp();

    assertThat(expired)
        .extracting(SessionEvent::reason)
        .containsExactly(SessionEvent.Reason.ABSOLUTE_TIMEOUT);
  }

  @Test
  void expiredSession_isReportedOnceWhenLoadNoticesIt() {
    SessionKey key = storedSession(Map.of());
    advance(IDLE);

    assertThat(store.load(key)).isEmpty();
    caffeine().cleanUp();
    assertThat(store.load(key)).isEmpty();

    assertThat(expired).hasSize(1);
  }

  @Test
  void deletedOrRotatedSession_isNotReportedAsExpired() {
    SessionKey deleted = storedSession(Map.of());
    SessionKey rotated = storedSession(Map.of());
    store.delete(deleted);
    store.rotate(rotated, newKey());
    caffeine().cleanUp();

    assertThat(expired).isEmpty();
  }

  @Test
  void fullStore_dropsSessionsAndReportsCapacity() {
    SessionConfig small = SessionConfig.builder()
        .idleTimeout(IDLE)
        .absoluteTimeout(ABSOLUTE)
        .maxSessions(10)
        .build();
    store = createStore(small, clock);
    for (int i = 0; i < 100; i++) {
      storedSession(Map.of());
    }
    caffeine().cleanUp();

    assertThat(caffeine().estimatedSize()).isLessThanOrEqualTo(10);
    assertThat(expired).isNotEmpty().allMatch(e -> e.reason() == SessionEvent.Reason.CAPACITY);
  }

  /** The anonymous-flood attack: a full store makes room by evicting anonymous sessions, never a logged-in one. */
  @Test
  void anonymousFlood_neverEvictsALoggedInSession() {
    SessionConfig small = SessionConfig.builder()
        .idleTimeout(IDLE)
        .absoluteTimeout(ABSOLUTE)
        .maxSessions(10)
        .build();
    store = createStore(small, clock);
    List<SessionKey> loggedIn = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      SessionKey key = storedSession(Map.of());
      assertThat(store.save(key, login("user-" + i))).isTrue();
      loggedIn.add(key);
    }
    for (int i = 0; i < 10_000; i++) {
      storedSession(Map.of());
    }
    caffeine().cleanUp();

    for (SessionKey key : loggedIn) {
      assertThat(store.load(key)).isPresent();
    }
    assertThat(caffeine().estimatedSize()).isLessThanOrEqualTo(10 + loggedIn.size());
    assertThat(expired)
        .hasSizeGreaterThanOrEqualTo(10_000 - 10)
        .allMatch(
            e -> e.reason() == SessionEvent.Reason.CAPACITY && e.userHandle().isEmpty());
  }

  /**
   * The cache's maintenance runs on the threads that use the store: an executor is given only the listener's calls.
   * (Maintenance handed to a pool woke one of its threads every few reads.)
   */
  @Test
  void maintenance_runsOnTheCallingThread_andOnlyListenerCallsReachTheExecutor() {
    List<Runnable> handedOver = new CopyOnWriteArrayList<>();
    store = recording(CONFIG, clock, handedOver::add);
    SessionKey idle = storedSession(Map.of());
    store.save(idle, login("alice"));
    SessionKey busy = storedSession(Map.of());
    for (int i = 0; i < 10_000; i++) {
      assertThat(store.load(busy)).isPresent();
    }
    assertThat(handedOver).as("reads and writes hand nothing to the executor").isEmpty();

    for (int i = 0; i < 40; i++) {
      advance(IDLE.dividedBy(20));
      assertThat(store.load(busy)).isPresent();
    }
    caffeine().cleanUp();

    assertThat(expired)
        .as("the listener runs on the executor, not during maintenance")
        .isEmpty();
    assertThat(handedOver).hasSize(1);
    handedOver.get(0).run();
    assertThat(expired).singleElement().satisfies(e -> {
      assertThat(e.userHandle()).contains("alice");
      assertThat(e.reason()).isEqualTo(SessionEvent.Reason.IDLE_TIMEOUT);
    });
  }

  @Test
  void executorThatRefuses_stillDeliversTheExpiry() {
    store = recording(CONFIG, clock, task -> {
      throw new RejectedExecutionException("shut down");
    });
    storedSession(Map.of());
    advance(IDLE.plus(TIMER_WHEEL_SLACK));
    caffeine().cleanUp();

    assertThat(expired)
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(SessionEvent.Reason.IDLE_TIMEOUT));
  }

  @Test
  void throwingListener_neverBreaksTheStore() {
    store = CaffeineSessionStore.builder(CONFIG, clock)
        .executor(Runnable::run)
        .listener(new SessionListener() {
          @Override
          public void sessionExpired(SessionEvent event) {
            throw new IllegalStateException("audit is down");
          }
        })
        .build();
    SessionKey key = storedSession(Map.of());
    advance(IDLE);

    assertThat(store.load(key)).isEmpty();
    caffeine().cleanUp();
    assertThat(store.save(newKey(), creation(Map.of()))).isTrue();
  }

  @Test
  void activeSessionGauges_splitUserAndAnonymousSessions() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    dev.portcullis.audit.AuditMetrics.bind(caffeine(), registry);
    storedSession(Map.of());
    storedSession(Map.of());
    SessionKey alice = storedSession(Map.of());
    store.save(alice, login("alice"));
    caffeine().cleanUp();

    assertThat(registry
            .get("portcullis.sessions.active")
            .tag("kind", "user")
            .gauge()
            .value())
        .isEqualTo(1.0);
    assertThat(registry
            .get("portcullis.sessions.active")
            .tag("kind", "anonymous")
            .gauge()
            .value())
        .isEqualTo(2.0);
  }
}
