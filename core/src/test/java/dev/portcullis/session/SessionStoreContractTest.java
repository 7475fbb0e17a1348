package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CountingSessionStore;
import dev.portcullis.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SessionStore} meets. A store's test extends this class and supplies
 * {@link #createStore}; a store whose time does not follow the injected clock alone also overrides
 * {@link #advance}.
 */
public abstract class SessionStoreContractTest {
  protected static final Duration IDLE = Duration.ofMinutes(30);
  protected static final Duration ABSOLUTE = Duration.ofHours(8);
  protected static final SessionConfig CONFIG = SessionConfig.builder()
      .idleTimeout(IDLE)
      .absoluteTimeout(ABSOLUTE)
      .maxSessions(10_000)
      .build();

  private static final SecureRandom RANDOM = new SecureRandom();

  protected final MutableClock clock = MutableClock.startingAt2026();
  protected SessionStore store;

  /** A new, empty store for {@code config}, reading time from {@code clock}. */
  protected abstract SessionStore createStore(SessionConfig config, InstantSource clock);

  /** Moves the store's time forward. */
  protected void advance(Duration by) {
    clock.advance(by);
  }

  /**
   * What {@link SessionStore#sharedBetweenNodes()} must answer: true for a store that several nodes can share (Redis,
   * PostgreSQL), false for one in a node's memory.
   */
  protected abstract boolean expectSharedBetweenNodes();

  @BeforeEach
  public void createStoreUnderTest() {
    store = createStore(CONFIG, clock);
  }

  @AfterEach
  public void closeStoreUnderTest() throws Exception {
    if (store instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  protected static SessionKey newKey() {
    return SessionIdFormat.BASE64URL.generate(RANDOM).storeKey();
  }

  protected static SessionChanges creation(Map<String, Object> attributes) {
    return new SessionChanges(true, false, null, attributes, Set.of());
  }

  protected static SessionChanges puts(Map<String, Object> attributes) {
    return new SessionChanges(false, false, null, attributes, Set.of());
  }

  protected static SessionChanges login(String userHandle) {
    return new SessionChanges(false, true, userHandle, Map.of(), Set.of());
  }

  protected SessionKey storedSession(Map<String, Object> attributes) {
    SessionKey key = newKey();
    assertThat(store.save(key, creation(attributes))).isTrue();
    return key;
  }

  @Test
  void sharedBetweenNodes_isAnsweredAsTheStoreIsDeployed_andAWrapperAnswersAsItsStore() {
    assertThat(store.sharedBetweenNodes()).isEqualTo(expectSharedBetweenNodes());
    assertThat(new CountingSessionStore(store).sharedBetweenNodes())
        .isEqualTo(expectSharedBetweenNodes());
  }

  @Test
  public void createdSession_isLoadedWithItsAttributes() {
    SessionKey key = storedSession(Map.of("theme", "dark", "visits", 3L));

    Optional<SessionRecord> loaded = store.load(key);

    assertThat(loaded).isPresent();
    assertThat(loaded.get().attributes())
        .containsExactlyInAnyOrderEntriesOf(Map.of("theme", "dark", "visits", 3L));
    assertThat(loaded.get().created()).isEqualTo(clock.instant());
    assertThat(loaded.get().userHandle()).isEmpty();
  }

  @Test
  public void unknownKey_loadsNothing() {
    storedSession(Map.of("a", "b"));

    assertThat(store.load(newKey())).isEmpty();
  }

  @Test
  public void creation_onTakenKey_isRefusedAndKeepsTheStoredSession() {
    SessionKey key = storedSession(Map.of("owner", "first"));

    assertThat(store.save(key, creation(Map.of("owner", "second")))).isFalse();
    assertThat(store.load(key).orElseThrow().attributes()).containsEntry("owner", "first");
  }

  @Test
  public void update_ofUnknownKey_isRefusedAndCreatesNothing() {
    SessionKey key = newKey();

    assertThat(store.save(key, puts(Map.of("a", "b")))).isFalse();
    assertThat(store.load(key)).isEmpty();
  }

  @Test
  public void idleSession_expiresAtTheIdleTimeout() {
    SessionKey key = storedSession(Map.of());

    advance(IDLE.minusMillis(1));
    assertThat(store.load(key)).isPresent();

    advance(IDLE);
    assertThat(store.load(key)).isEmpty();
  }

  @Test
  public void expiredSession_isNotLoadedEvenWhenTouchedAtTheLastMoment() {
    SessionKey key = storedSession(Map.of());

    advance(IDLE);

    assertThat(store.load(key)).isEmpty();
    advance(Duration.ofMillis(1));
    assertThat(store.load(key)).isEmpty();
  }

  @Test
  public void load_restartsTheIdleTimeout() {
    SessionKey key = storedSession(Map.of());

    for (int i = 0; i < 5; i++) {
      advance(IDLE.minusMinutes(1));
      assertThat(store.load(key)).as("request %d", i).isPresent();
    }
  }

  @Test
  public void busySession_endsAtTheAbsoluteTimeout() {
    SessionKey key = storedSession(Map.of());
    Duration step = IDLE.minusMinutes(1);
    Duration elapsed = Duration.ZERO;
    while (elapsed.plus(step).compareTo(ABSOLUTE) < 0) {
      advance(step);
      elapsed = elapsed.plus(step);
      assertThat(store.load(key)).as("after %s", elapsed).isPresent();
    }

    advance(ABSOLUTE.minus(elapsed));

    assertThat(store.load(key)).isEmpty();
  }

  @Test
  public void update_ofExpiredSession_isRefusedAndDoesNotRevive() {
    SessionKey key = storedSession(Map.of());
    advance(IDLE);

    assertThat(store.save(key, puts(Map.of("late", true)))).isFalse();
    assertThat(store.load(key)).isEmpty();
  }

  @Test
  public void update_mergesOntoTheStoredAttributes() {
    SessionKey key = storedSession(Map.of("keep", "yes", "drop", "me", "change", 1));

    store.save(
        key,
        new SessionChanges(false, false, null, Map.of("change", 2, "add", 2.5), Set.of("drop")));

    assertThat(store.load(key).orElseThrow().attributes())
        .containsExactlyInAnyOrderEntriesOf(Map.of("keep", "yes", "change", 2, "add", 2.5));
  }

  @Test
  public void concurrentUpdates_keepEachOthersAttributes() throws Exception {
    SessionKey key = storedSession(Map.of());
    int threads = 8;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            assertThat(store.save(key, puts(Map.of("t" + thread + "-" + i, (long) i))))
                .isTrue();
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(store.load(key).orElseThrow().attributes()).hasSize(threads * perThread);
  }

  @Test
  public void rotatedSession_isLoadedUnderTheNewKeyOnly() {
    SessionKey old = storedSession(Map.of("cart", List.of("a", "b")));
    SessionKey next = newKey();

    assertThat(store.rotate(old, next)).isTrue();

    assertThat(store.load(old)).isEmpty();
    assertThat(store.load(next).orElseThrow().attributes())
        .containsEntry("cart", List.of("a", "b"));
    assertThat(store.save(old, puts(Map.of("x", "y"))))
        .as("a save on the old key")
        .isFalse();
    assertThat(store.load(old)).isEmpty();
  }

  @Test
  public void rotation_keepsTheCreationTimeSoTheAbsoluteTimeoutStillApplies() {
    SessionKey key = storedSession(Map.of());
    Duration step = IDLE.minusMinutes(1);
    Duration elapsed = Duration.ZERO;
    while (elapsed.plus(step).compareTo(ABSOLUTE) < 0) {
      advance(step);
      elapsed = elapsed.plus(step);
      SessionKey next = newKey();
      assertThat(store.rotate(key, next)).isTrue();
      key = next;
    }

    advance(ABSOLUTE.minus(elapsed));

    assertThat(store.load(key)).isEmpty();
  }

  @Test
  public void rotation_fromUnknownOrExpiredKey_isRefused() {
    SessionKey unknown = newKey();
    SessionKey target = newKey();
    assertThat(store.rotate(unknown, target)).isFalse();
    assertThat(store.load(target)).isEmpty();

    SessionKey expired = storedSession(Map.of());
    advance(IDLE);
    assertThat(store.rotate(expired, target)).isFalse();
    assertThat(store.load(target)).isEmpty();
  }

  @Test
  public void rotation_ontoTakenKey_isRefused() {
    SessionKey first = storedSession(Map.of("who", "first"));
    SessionKey second = storedSession(Map.of("who", "second"));

    assertThat(store.rotate(first, second)).isFalse();

    assertThat(store.load(second).orElseThrow().attributes()).containsEntry("who", "second");
  }

  @Test
  public void delete_endsTheSession() {
    SessionKey key = storedSession(Map.of());

    assertThat(store.delete(key)).isTrue();

    assertThat(store.load(key)).isEmpty();
    assertThat(store.delete(key)).isFalse();
    assertThat(store.save(key, puts(Map.of("a", "b")))).isFalse();
  }

  @Test
  public void loggedInSessions_areFoundAndDeletedByUser() {
    SessionKey alice1 = storedSession(Map.of());
    SessionKey alice2 = storedSession(Map.of());
    SessionKey bob = storedSession(Map.of());
    SessionKey anonymous = storedSession(Map.of());
    store.save(alice1, login("alice"));
    store.save(alice2, login("alice"));
    store.save(bob, login("bob"));

    assertThat(store.findByUser("alice")).containsExactlyInAnyOrder(alice1, alice2);
    assertThat(store.load(alice1).orElseThrow().userHandle()).contains("alice");

    assertThat(store.deleteByUser("alice")).isEqualTo(2);

    assertThat(store.load(alice1)).isEmpty();
    assertThat(store.load(alice2)).isEmpty();
    assertThat(store.load(bob)).isPresent();
    assertThat(store.load(anonymous)).isPresent();
    assertThat(store.findByUser("alice")).isEmpty();
    assertThat(store.deleteByUser("alice")).isZero();
  }

  @Test
  public void deleteByUser_reachesASessionAfterItsRotation() {
    SessionKey old = storedSession(Map.of());
    store.save(old, login("alice"));
    SessionKey next = newKey();
    store.rotate(old, next);

    assertThat(store.findByUser("alice")).containsExactly(next);
    assertThat(store.deleteByUser("alice")).isEqualTo(1);
    assertThat(store.load(next)).isEmpty();
  }

  @Test
  public void loggedOutSession_isNoLongerFoundByUser() {
    SessionKey key = storedSession(Map.of());
    store.save(key, login("alice"));
    store.save(key, new SessionChanges(false, true, null, Map.of(), Set.of()));

    assertThat(store.findByUser("alice")).isEmpty();
    assertThat(store.deleteByUser("alice")).isZero();
    assertThat(store.load(key)).isPresent();
  }

  @Test
  public void deleteByUser_racingRotations_leavesNoSessionOfTheUser() throws Exception {
    for (int round = 0; round < 50; round++) {
      SessionKey start = storedSession(Map.of());
      store.save(start, login("racer"));
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger rotations = new AtomicInteger();
      SessionKey[] current = {start};
      Thread rotator = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20; i++) {
          SessionKey next = newKey();
          if (!store.rotate(current[0], next)) {
            return;
          }
          current[0] = next;
          rotations.incrementAndGet();
        }
      });
      rotator.start();
      go.countDown();
      store.deleteByUser("racer");
      rotator.join(10_000);

      assertThat(store.load(current[0]))
          .as("round %d after %d rotations", round, rotations.get())
          .isEmpty();
    }
  }

  @Test
  public void peek_neitherRestartsTheIdleTimeoutNorChangesTheLastAccess() {
    SessionKey key = storedSession(Map.of("theme", "dark"));
    store.save(key, login("alice"));
    java.time.Instant saved = clock.instant();
    advance(IDLE.minusMinutes(10));

    SessionRecord peeked = store.peek(key).orElseThrow();
    assertThat(peeked.lastAccess()).isEqualTo(saved);
    assertThat(peeked.userHandle()).hasValue("alice");
    assertThat(peeked.attributes()).containsEntry("theme", "dark");

    advance(Duration.ofMinutes(10));
    assertThat(store.peek(key)).as("peeking kept nothing alive").isEmpty();
    assertThat(store.load(key)).isEmpty();
    assertThat(store.peek(newKey())).isEmpty();
  }

  /** A session of {@code user} saved as a login saves it, from {@code address} with {@code userAgent}. */
  private static Session loggedIn(
      SessionRegistry registry, String user, String address, String userAgent) {
    Session s = registry.create();
    s.setUserHandle(user);
    registry.recordClient(s, address, userAgent);
    assertThat(registry.save(s, address)).isTrue();
    return s;
  }

  @Test
  public void aUsersSessions_areListedWithTheirClients_andAnotherIsEndedByItsHandle() {
    SessionRegistry registry =
        SessionRegistry.create(CONFIG, store, RANDOM, clock, SessionListener.noop());
    Session laptop = loggedIn(
        registry,
        "alice",
        "192.0.2.10",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/131.0.0.0 Safari/537.36");
    advance(Duration.ofMinutes(1));
    Session phone = loggedIn(
        registry,
        "alice",
        "2001:db8::7",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML,"
            + " like Gecko) Version/18.1 Mobile/15E148 Safari/604.1");
    Session bob = loggedIn(registry, "bob", "198.51.100.3", null);

    List<ActiveSession> seen = registry.activeSessions(laptop);
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).current()).isTrue();
    assertThat(seen.get(0).browser()).isEqualTo("Chrome on Windows");
    assertThat(seen.get(0).clientAddress()).hasValue("192.0.2.10");
    ActiveSession other = seen.get(1);
    assertThat(other.current()).isFalse();
    assertThat(other.browser()).isEqualTo("Safari on iOS");
    assertThat(other.clientAddress()).hasValue("2001:db8::7");
    assertThat(other.handle())
        .doesNotContain(phone.id().cookieValue())
        .isNotEqualTo(phone.opaqueId());

    assertThat(registry.endSession(bob, other.handle()))
        .as("another user's handle")
        .isEqualTo(new SessionEnd.Refused(SessionEnd.Reason.UNKNOWN_HANDLE));
    assertThat(registry.endSession(phone, other.handle()))
        .as("a handle listed for another session")
        .isEqualTo(new SessionEnd.Refused(SessionEnd.Reason.UNKNOWN_HANDLE));
    assertThat(registry.endSession(laptop, seen.get(0).handle()))
        .isEqualTo(new SessionEnd.Refused(SessionEnd.Reason.CURRENT_SESSION));
    assertThat(store.peek(phone.id().storeKey())).isPresent();

    assertThat(registry.endSession(laptop, other.handle())).isEqualTo(new SessionEnd.Ended());
    assertThat(store.load(phone.id().storeKey())).isEmpty();
    assertThat(registry.activeSessions(laptop)).singleElement().matches(ActiveSession::current);
    assertThat(registry.endSession(laptop, other.handle()))
        .as("ended once")
        .isEqualTo(new SessionEnd.Refused(SessionEnd.Reason.UNKNOWN_HANDLE));
    assertThat(registry.activeSessions(bob)).hasSize(1);
  }

  @Test
  public void malformedCookie_isRefusedWithoutAskingTheStore() {
    CountingSessionStore counting = new CountingSessionStore(store);
    SessionRegistry registry =
        SessionRegistry.create(CONFIG, counting, RANDOM, clock, SessionListener.noop());

    for (String bad : List.of(
        "x",
        "../../etc/passwd",
        "A".repeat(44),
        "A".repeat(42) + "B",
        "A".repeat(4096),
        "A".repeat(42) + "=",
        "A+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")) {
      assertThat(registry.open(bad)).as(bad).isInstanceOf(SessionLookup.Malformed.class);
    }
    assertThat(counting.calls()).isZero();

    assertThat(registry.open("A".repeat(43))).isInstanceOf(SessionLookup.Absent.class);
    assertThat(counting.calls()).as("a well-formed id does reach the store").isEqualTo(1);
  }

  @Test
  public void absentOrExpiredCookie_neverBecomesTheSessionId() {
    SessionRegistry registry =
        SessionRegistry.create(CONFIG, store, RANDOM, clock, SessionListener.noop());
    Session first = registry.create();
    registry.save(first);
    String oldValue = first.id().cookieValue();
    advance(IDLE);

    assertThat(registry.open(oldValue)).isInstanceOf(SessionLookup.Absent.class);
    Session replacement = registry.create();
    assertThat(replacement.id().cookieValue()).isNotEqualTo(oldValue);
    assertThat(registry.open("A".repeat(43))).isInstanceOf(SessionLookup.Absent.class);
  }
}
