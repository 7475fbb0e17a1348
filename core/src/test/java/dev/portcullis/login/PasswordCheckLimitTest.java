package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestKeyRings;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PortalLogin.Builder#maxConcurrentPasswordChecks}: so many logins are checked at once, as many again wait
 * their turn, and the rest are refused at once as {@code BUSY}, with no store call and no password check. Over a
 * directory whose checks wait until the test lets them finish.
 */
class PasswordCheckLimitTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final GatedDirectory users = new GatedDirectory();
  private final CountingStore attempts = new CountingStore(LoginAttemptStore.inMemory(clock));
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private static final String ADDRESS = "192.0.2.7";

  @AfterEach
  void stop() {
    users.open.countDown();
    threads.shutdownNow();
  }

  private LoginThrottle throttle() {
    SecureRandom random = new SecureRandom();
    return LoginThrottle.builder(clock)
        .random(random)
        .store(attempts)
        .hashKey(KeyMaterial.generate(random))
        .build();
  }

  private PortalLogin login(int max) {
    return PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .throttle(throttle())
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .maxConcurrentPasswordChecks(max)
        .build();
  }

  private Future<LoginResult> inBackground(LoginService service, String password) {
    return threads.submit(() -> service.login("alice", password.toCharArray(), false, ADDRESS));
  }

  @Test
  void loginsPastTheChecksAndTheirQueue_areRefusedAtOnce_withoutAStoreCallOrCheck()
      throws Exception {
    // One place, and a wait longer than the test, so that the queue stays full while it looks.
    PasswordCheckLimit limit = new PasswordCheckLimit(1, TimeUnit.MINUTES.toMillis(1));
    LoginService service = new LoginService(users, throttle(), "t1", limit);
    Future<LoginResult> checked = inBackground(service, "guess-0");
    assertThat(users.entered.await(10, TimeUnit.SECONDS))
        .as("the first is being checked")
        .isTrue();
    List<Future<LoginResult>> queued = new ArrayList<>();
    for (int i = 1; i <= PasswordCheckLimit.WAITING_PER_PLACE; i++) {
      queued.add(inBackground(service, "guess-" + i));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (limit.waiting() < PasswordCheckLimit.WAITING_PER_PLACE && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(limit.waiting())
        .as("the queue is full")
        .isEqualTo(PasswordCheckLimit.WAITING_PER_PLACE);
    int storeCalls = attempts.calls.get();

    long start = System.nanoTime();
    LoginResult refused = service.login("alice", "guess-x".toCharArray(), false, ADDRESS);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(refused)
        .isEqualTo(new LoginResult.Refused(LoginResult.Reason.BUSY, Optional.empty()));
    assertThat(tookMillis).as("refused at once, not after a wait").isLessThan(500);
    assertThat(users.checks.get()).as("password checks so far").isEqualTo(1);
    assertThat(attempts.calls.get()).as("no store call for the refused one").isEqualTo(storeCalls);
    assertThat(queued).noneMatch(Future::isDone);

    users.open.countDown();
    assertThat(reason(checked.get(10, TimeUnit.SECONDS)))
        .isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    for (Future<LoginResult> f : queued) {
      assertThat(reason(f.get(30, TimeUnit.SECONDS)))
          .as("each waiting one is checked in turn")
          .isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    }
    assertThat(users.checks.get()).isEqualTo(1 + PasswordCheckLimit.WAITING_PER_PLACE);
    assertThat(limit.waiting()).isZero();
    assertThat(service.login("alice", "alice-pw".toCharArray(), false, ADDRESS))
        .as("with the place free again, the right password logs in")
        .isInstanceOf(LoginResult.Success.class);
  }

  @Test
  void aLoginWaitingPastItsBound_isRefusedAsBusy_andAuditedAsALock() throws Exception {
    PortalLogin login = login(1);
    Future<LoginDecision> checked = threads.submit(
        () -> login.passwordLogin("alice", "guess-0".toCharArray(), false, ADDRESS, null));
    assertThat(users.entered.await(10, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    LoginDecision waited =
        login.passwordLogin("alice", "guess-1".toCharArray(), false, ADDRESS, null);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(waited).isInstanceOf(LoginDecision.Refused.class);
    LoginDecision.Refused busy = (LoginDecision.Refused) waited;
    assertThat(busy.audit().type()).isEqualTo(AuditEventType.AUTHN_LOGIN_BUSY);
    assertThat(busy.audit().outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(busy.audit().reason()).hasValue("BUSY");
    assertThat(busy.user()).isEmpty();
    assertThat(tookMillis)
        .as("waited its bound, %d ms", PasswordCheckLimit.MAX_WAIT_MILLIS)
        .isBetween(
            PasswordCheckLimit.MAX_WAIT_MILLIS - 50, 10 * PasswordCheckLimit.MAX_WAIT_MILLIS);
    assertThat(users.checks.get()).isEqualTo(1);
    users.open.countDown();
    LoginDecision first = checked.get(10, TimeUnit.SECONDS);
    assertThat(((LoginDecision.Refused) first).audit().type())
        .isEqualTo(AuditEventType.AUTHN_LOGIN_FAIL);
  }

  @Test
  void morePlaces_checkThatManyAtOnce() throws Exception {
    LoginService service = new LoginService(users, throttle(), "t1", new PasswordCheckLimit(3));
    users.entered = new CountDownLatch(3);
    List<Future<LoginResult>> running = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      running.add(inBackground(service, "guess-" + i));
    }
    assertThat(users.entered.await(10, TimeUnit.SECONDS))
        .as("three checks at once")
        .isTrue();
    users.open.countDown();
    for (Future<LoginResult> f : running) {
      assertThat(reason(f.get(10, TimeUnit.SECONDS))).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    }
  }

  @Test
  void theBound_isAtLeastOne_andDefaultsToHalfTheProcessors() {
    assertThatThrownBy(() -> login(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxConcurrentPasswordChecks must be at least 1");
    assertThatThrownBy(() -> login(-1)).isInstanceOf(IllegalStateException.class);
    assertThat(PasswordCheckLimit.defaultPlaces())
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
  }

  private static LoginResult.Reason reason(LoginResult result) {
    assertThat(result).isInstanceOf(LoginResult.Refused.class);
    return ((LoginResult.Refused) result).reason();
  }

  /** Alice, whose password checks each wait until {@link #open} is counted down. */
  private static final class GatedDirectory implements UserDirectory {
    private final UserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
        .add(
            "alice",
            "alice-pw".toCharArray(),
            new PortalUser(
                "u-alice", "Alice", "alice@example.org", Set.of("PROVIDER"), "org", true, "t1"));
    final CountDownLatch open = new CountDownLatch(1);
    final AtomicInteger checks = new AtomicInteger();
    volatile CountDownLatch entered = new CountDownLatch(1);

    @Override
    public Optional<PortalUser> authenticate(String username, char[] password) {
      checks.incrementAndGet();
      entered.countDown();
      try {
        if (!open.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never let the check finish");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return users.authenticate(username, password);
    }

    @Override
    public Optional<PortalUser> findByHandle(String handle) {
      return users.findByHandle(handle);
    }

    @Override
    public void recordTermsAcceptance(String handle, String version) {
      users.recordTermsAcceptance(handle, version);
    }
  }

  /** The in-memory store, counting every call. */
  private static final class CountingStore implements LoginAttemptStore {
    private final LoginAttemptStore store;
    final AtomicInteger calls = new AtomicInteger();

    CountingStore(LoginAttemptStore store) {
      this.store = store;
    }

    @Override
    public boolean reserve(String key, long attemptId, int limit, Duration window) {
      calls.incrementAndGet();
      return store.reserve(key, attemptId, limit, window);
    }

    @Override
    public void release(String key, long attemptId) {
      calls.incrementAndGet();
      store.release(key, attemptId);
    }

    @Override
    public void rememberAddress(String key, Duration keepFor) {
      calls.incrementAndGet();
      store.rememberAddress(key, keepFor);
    }

    @Override
    public boolean isKnownAddress(String key) {
      calls.incrementAndGet();
      return store.isKnownAddress(key);
    }
  }
}
