package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.testing.CountingUserDirectory;
import dev.portcullis.testing.MutableClock;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The login limit's policy, through {@link LoginService}: reservation, what a success gives back, known addresses. */
class LoginThrottleTest {
  private static final String HOME = "198.51.100.20";
  private static final String ATTACKER = "203.0.113.66";
  private static final String NEW_PLACE = "192.0.2.33";

  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();
  private final CountingUserDirectory users = new CountingUserDirectory(
      new InMemoryUserDirectory(PasswordHasher.forTests())
          .add("alice", "a".toCharArray(), user("u-a", "alice@example.org"))
          .add("bob", "b".toCharArray(), user("u-b", "bob@example.org"))
          .add("dave", "d".toCharArray(), user("u-d", "")),
      Duration.ZERO);

  private static PortalUser user(String handle, String email) {
    return new PortalUser(handle, "Name", email, Set.of("PROVIDER"), "org", true, "v1");
  }

  private LoginService service(LoginThrottle.Builder throttle) {
    return new LoginService(users, throttle.build(), "v1");
  }

  private LoginThrottle.Builder throttle() {
    return LoginThrottle.builder(clock).random(random);
  }

  private static LoginResult.Reason outcome(LoginResult r) {
    return r instanceof LoginResult.Refused refused ? refused.reason() : null;
  }

  private static LoginResult.Reason attempt(
      LoginService s, String user, String password, String address) {
    return outcome(s.login(user, password.toCharArray(), true, address));
  }

  @Test
  void aThousandConcurrentWrongPasswords_getExactlyTheLimitOfPasswordChecks() throws Exception {
    CountingUserDirectory slow = new CountingUserDirectory(users, Duration.ofMillis(5));
    // As many checks at once as threads: the throttle alone decides here.
    LoginService s = new LoginService(slow, throttle().build(), "v1", new PasswordCheckLimit(32));
    ExecutorService pool = Executors.newFixedThreadPool(32);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<LoginResult.Reason>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 1_000; i++) {
        String address = "10.0." + (i / 200) + "." + (i % 200);
        results.add(pool.submit(() -> {
          start.await();
          return attempt(s, "alice", "wrong", address);
        }));
      }
      start.countDown();
      int throttled = 0;
      for (Future<LoginResult.Reason> f : results) {
        throttled += f.get(1, TimeUnit.MINUTES) == LoginResult.Reason.THROTTLED ? 1 : 0;
      }
      assertThat(slow.passwordChecks()).isEqualTo(100);
      assertThat(throttled).isEqualTo(900);
      assertThat(slow.mostConcurrentChecks()).as("the checks overlapped").isGreaterThan(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theRightPassword_givesItsSlotBack_butDoesNotForgiveEarlierFailures() {
    LoginService s = service(throttle().maxFailuresPerAccount(3));
    assertThat(attempt(s, "alice", "x", ATTACKER)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    assertThat(attempt(s, "alice", "x", ATTACKER)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    // Successes from a new place use the account budget and give their slot back, however many
    // there are.
    for (int i = 0; i < 10; i++) {
      assertThat(attempt(s, "alice", "a", "10.9.9." + i)).isNull();
    }
    // The two failures still count: one more, then the account budget is spent.
    assertThat(attempt(s, "alice", "x", ATTACKER)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    assertThat(attempt(s, "alice", "x", ATTACKER)).isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(users.passwordChecks()).isEqualTo(13);
  }

  @Test
  void theOwner_logsInFromAKnownAddress_whileStrangersHaveLockedTheAccount() {
    LoginService s = service(throttle());
    assertThat(attempt(s, "alice", "a", HOME)).isNull();
    clock.advance(Duration.ofDays(3));
    for (int i = 0; i < 100; i++) {
      assertThat(attempt(s, "alice", "guess" + i, ATTACKER))
          .isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    }
    assertThat(attempt(s, "alice", "a", ATTACKER)).isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(attempt(s, "alice", "a", NEW_PLACE)).isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(attempt(s, "ALICE", "a", HOME)).isNull();
    // The known address is known for that account only.
    for (int i = 0; i < 100; i++) {
      attempt(s, "bob", "guess" + i, ATTACKER);
    }
    assertThat(attempt(s, "bob", "b", HOME)).isEqualTo(LoginResult.Reason.THROTTLED);
  }

  @Test
  void aKnownAddress_hasABudgetAgainstGuessingToo() {
    LoginService s = service(throttle().maxFailuresPerAccount(5));
    attempt(s, "alice", "a", HOME);
    for (int i = 0; i < 5; i++) {
      assertThat(attempt(s, "alice", "x", HOME)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    }
    assertThat(attempt(s, "alice", "a", HOME)).isEqualTo(LoginResult.Reason.THROTTLED);
    // Spent at home; the account budget for everywhere else is untouched.
    assertThat(attempt(s, "alice", "a", NEW_PLACE)).isNull();
    clock.advance(Duration.ofHours(1));
    assertThat(attempt(s, "alice", "a", HOME)).isNull();
  }

  @Test
  void aKnownAddress_isForgottenWhenItsTimeRunsOut_andAFailedOrRefusedLoginMakesNone() {
    LoginService s =
        service(throttle().knownAddressFor(Duration.ofDays(7)).maxFailuresPerAccount(2));
    attempt(s, "alice", "a", HOME);
    attempt(s, "alice", "wrong", NEW_PLACE);
    attempt(s, "dave", "d", NEW_PLACE); // right password, but dave may not log in
    clock.advance(Duration.ofDays(6));
    attempt(s, "dave", "x", ATTACKER);
    attempt(s, "dave", "x", ATTACKER);
    assertThat(attempt(s, "dave", "d", NEW_PLACE)).isEqualTo(LoginResult.Reason.THROTTLED);
    attempt(s, "alice", "x", ATTACKER);
    attempt(s, "alice", "x", ATTACKER);
    assertThat(attempt(s, "alice", "a", HOME)).isNull(); // known, and now known for 7 days more
    assertThat(attempt(s, "alice", "a", NEW_PLACE)).isEqualTo(LoginResult.Reason.THROTTLED);
    clock.advance(Duration.ofDays(7));
    attempt(s, "alice", "x", ATTACKER);
    attempt(s, "alice", "x", ATTACKER);
    assertThat(attempt(s, "alice", "a", HOME)).isEqualTo(LoginResult.Reason.THROTTLED);
  }

  @Test
  void knownAddressesOff_everyAttemptUsesTheAccountBudget() {
    LoginService s = service(throttle().knownAddressFor(Duration.ZERO).maxFailuresPerAccount(2));
    attempt(s, "alice", "a", HOME);
    attempt(s, "alice", "x", ATTACKER);
    attempt(s, "alice", "x", ATTACKER);
    assertThat(attempt(s, "alice", "a", HOME)).isEqualTo(LoginResult.Reason.THROTTLED);
  }

  @Test
  void aRefusedAccountOrADirectoryFailure_givesTheSlotBack() {
    LoginService s = service(throttle().maxFailuresPerAccount(2));
    for (int i = 0; i < 5; i++) {
      assertThat(attempt(s, "dave", "d", NEW_PLACE)).isEqualTo(LoginResult.Reason.MISSING_EMAIL);
    }
    UserDirectory failing = new UserDirectory() {
      @Override
      public Optional<PortalUser> authenticate(String username, char[] password) {
        throw new IllegalStateException("directory down");
      }

      @Override
      public Optional<PortalUser> findByHandle(String handle) {
        return Optional.empty();
      }

      @Override
      public void recordTermsAcceptance(String handle, String version) {}
    };
    LoginThrottle shared = throttle().maxFailuresPerAccount(1).build();
    LoginService down = new LoginService(failing, shared, "v1");
    for (int i = 0; i < 3; i++) {
      assertThat(down.login("alice", "a".toCharArray(), true, NEW_PLACE))
          .isEqualTo(new LoginResult.Refused(
              LoginResult.Reason.DIRECTORY_UNAVAILABLE, Optional.empty(), "IllegalStateException"));
    }
    LoginService up = new LoginService(users, shared, "v1");
    assertThat(attempt(up, "alice", "x", NEW_PLACE)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    assertThat(attempt(up, "alice", "a", NEW_PLACE)).isEqualTo(LoginResult.Reason.THROTTLED);
  }

  /**
   * A client that holds an IPv6 /64 (one subscriber's usual allocation) can send each attempt from a new address in
   * it: the address budget counts the /64, so the spray across accounts still stops at the limit.
   */
  @Test
  void ipv6AttemptsFromOneSlash64_shareOneAddressBudget() {
    LoginService s = service(throttle().maxFailuresPerAddress(3).maxFailuresPerAccount(100));
    String[] users = {"alice", "bob", "alice"};
    for (int i = 0; i < 3; i++) {
      assertThat(attempt(s, users[i], "x", "2001:db8:1:2::" + Integer.toHexString(i + 1)))
          .isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    }
    assertThat(attempt(s, "bob", "x", "2001:db8:1:2:ffff:1:2:3"))
        .as("another address in the same /64")
        .isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(attempt(s, "bob", "x", "2001:DB8:1:2:0:0:0:9"))
        .as("the same /64 written another way")
        .isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(attempt(s, "bob", "x", "2001:db8:1:3::1"))
        .as("the next /64 is another client")
        .isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
  }

  @Test
  void theOwnersKnownAddress_isHerSlash64_soANewPrivacyAddressStaysKnown() {
    LoginService s = service(throttle().maxFailuresPerAccount(2));
    assertThat(attempt(s, "alice", "a", "2001:db8:aa:1::10")).isNull();
    for (int i = 0; i < 3; i++) {
      attempt(s, "alice", "x", ATTACKER);
    }
    assertThat(attempt(s, "alice", "a", "2001:db8:aa:1:8d2e:11ff:fe00:7"))
        .as("a new temporary address in her /64 is still her known place")
        .isNull();
  }

  @Test
  void clientOf_groupsIpv6By64_andKeepsIpv4AndOtherText() {
    assertThat(LoginThrottle.clientOf("2001:db8:1:2::1"))
        .isEqualTo(LoginThrottle.clientOf("2001:0DB8:0001:0002:ffff::"))
        .isNotEqualTo(LoginThrottle.clientOf("2001:db8:1:3::1"));
    assertThat(LoginThrottle.clientOf("198.51.100.20")).isEqualTo("198.51.100.20");
    assertThat(LoginThrottle.clientOf("198.51.100.20"))
        .isNotEqualTo(LoginThrottle.clientOf("198.51.100.21"));
    assertThat(LoginThrottle.clientOf("unknown")).isEqualTo("unknown");
    assertThat(LoginThrottle.clientOf(null)).isNull();
  }

  @Test
  void anAddressOverItsLimit_givesBackTheAccountSlotItTook() {
    LoginService s = service(throttle().maxFailuresPerAddress(1).maxFailuresPerAccount(2));
    assertThat(attempt(s, "bob", "x", ATTACKER)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    for (int i = 0; i < 5; i++) {
      assertThat(attempt(s, "alice", "x", ATTACKER)).isEqualTo(LoginResult.Reason.THROTTLED);
    }
    assertThat(attempt(s, "alice", "x", NEW_PLACE)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    assertThat(attempt(s, "alice", "x", HOME)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    assertThat(attempt(s, "alice", "a", "10.0.0.1")).isEqualTo(LoginResult.Reason.THROTTLED);
  }

  @Test
  void theStore_holdsNoUsernameAndNoAddress() {
    ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
    LoginAttemptStore memory = LoginAttemptStore.inMemory(clock);
    LoginAttemptStore recording = new LoginAttemptStore() {
      @Override
      public boolean reserve(String key, long attemptId, int limit, Duration window) {
        keys.add(key);
        return memory.reserve(key, attemptId, limit, window);
      }

      @Override
      public void release(String key, long attemptId) {
        keys.add(key);
        memory.release(key, attemptId);
      }

      @Override
      public void rememberAddress(String key, Duration keepFor) {
        keys.add(key);
        memory.rememberAddress(key, keepFor);
      }

      @Override
      public boolean isKnownAddress(String key) {
        keys.add(key);
        return memory.isKnownAddress(key);
      }
    };
    LoginService s = service(throttle().store(recording).hashKey(KeyMaterial.generate(random)));
    attempt(s, "alice", "a", HOME);
    attempt(s, "alice", "x", "2001:db8::7");
    attempt(s, "alice", "a", HOME);
    assertThat(keys)
        .isNotEmpty()
        .allSatisfy(k -> assertThat(k)
            .matches("(a|ip|k|kb):[A-Za-z0-9_-]{43}")
            .doesNotContainIgnoringCase("alice")
            .doesNotContain("198.51")
            .doesNotContain("2001"));
    assertThat(keys)
        .anyMatch(k -> k.startsWith("k:"))
        .anyMatch(k -> k.startsWith("kb:"))
        .anyMatch(k -> k.startsWith("ip:"))
        .anyMatch(k -> k.startsWith("a:"));
  }

  @Test
  void twoNodes_sharingAStoreAndAHashKey_shareOneLimit_andADifferentKeyWouldNot() {
    LoginAttemptStore shared = LoginAttemptStore.inMemory(clock);
    KeyMaterial key = KeyMaterial.generate(random);
    LoginService a = service(throttle().store(shared).hashKey(key).maxFailuresPerAccount(4));
    LoginService b = service(throttle().store(shared).hashKey(key).maxFailuresPerAccount(4));
    for (int i = 0; i < 2; i++) {
      attempt(a, "alice", "x", ATTACKER);
      attempt(b, "alice", "x", ATTACKER);
    }
    assertThat(attempt(a, "alice", "a", NEW_PLACE)).isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(attempt(b, "alice", "a", NEW_PLACE)).isEqualTo(LoginResult.Reason.THROTTLED);
    LoginService otherKey = service(
        throttle().store(shared).hashKey(KeyMaterial.generate(random)).maxFailuresPerAccount(4));
    assertThat(attempt(otherKey, "alice", "a", NEW_PLACE)).isNull();
  }

  @Test
  void aStoreThatCannotAnswer_refusesWithoutAPasswordCheck() {
    LoginAttemptStore down = new LoginAttemptStore() {
      @Override
      public boolean reserve(String key, long attemptId, int limit, Duration window) {
        throw new StoreUnavailableException("down", null);
      }

      @Override
      public void release(String key, long attemptId) {
        throw new StoreUnavailableException("down", null);
      }

      @Override
      public void rememberAddress(String key, Duration keepFor) {
        throw new StoreUnavailableException("down", null);
      }

      @Override
      public boolean isKnownAddress(String key) {
        throw new StoreUnavailableException("down", null);
      }
    };
    LoginService s = service(throttle().store(down).hashKey(KeyMaterial.generate(random)));
    assertThat(attempt(s, "alice", "a", HOME)).isEqualTo(LoginResult.Reason.UNAVAILABLE);
    assertThat(attempt(s, "alice", "a", null)).isEqualTo(LoginResult.Reason.UNAVAILABLE);
    assertThat(users.passwordChecks()).isZero();
  }

  @Test
  void builder_refusesContradictionsAndMissingParts() {
    assertThatThrownBy(() -> LoginThrottle.builder(clock).build())
        .hasMessageContaining("SecureRandom");
    assertThatThrownBy(() -> throttle().store(LoginAttemptStore.inMemory(clock)).build())
        .hasMessageContaining("hashKey");
    assertThatThrownBy(() -> throttle()
            .store(LoginAttemptStore.inMemory(clock))
            .hashKey(KeyMaterial.generate(random))
            .maxTracked(10)
            .build())
        .hasMessageContaining("maxTracked");
    assertThatThrownBy(() -> throttle().knownAddressFor(Duration.ofDays(401)).build())
        .hasMessageContaining("400");
    assertThatThrownBy(() -> throttle().knownAddressFor(Duration.ofDays(-1)).build())
        .hasMessageContaining("400");
    assertThatThrownBy(() -> throttle().maxFailuresPerAccount(0).build())
        .hasMessageContaining("ASVS");
    assertThat(throttle().knownAddressFor(Duration.ofDays(400)).maxTracked(10).build())
        .isNotNull();
  }

  @Test
  void hashKeyFromARing_followsAPromotion_soThrottlesBuiltBeforeAndAfterShareOneBudget() {
    dev.portcullis.crypto.KeyRing first = dev.portcullis.crypto.KeyRing.builder()
        .add(
            1,
            dev.portcullis.crypto.KeyStatus.ACTIVE,
            java.time.Instant.EPOCH,
            KeyMaterial.generate(random))
        .build();
    dev.portcullis.crypto.KeyRing promoted = dev.portcullis.crypto.KeyRing.builder()
        .add(
            1,
            dev.portcullis.crypto.KeyStatus.DECRYPT_ONLY,
            java.time.Instant.EPOCH,
            first.material(1, dev.portcullis.crypto.SecretAccess.insecure()))
        .add(
            2,
            dev.portcullis.crypto.KeyStatus.ACTIVE,
            java.time.Instant.EPOCH,
            KeyMaterial.generate(random))
        .build();
    java.util.concurrent.atomic.AtomicReference<dev.portcullis.crypto.KeyRing> ring =
        new java.util.concurrent.atomic.AtomicReference<>(first);
    dev.portcullis.crypto.KeyRingSource source = ring::get;
    LoginAttemptStore shared = LoginAttemptStore.inMemory(clock);
    LoginThrottle startedBefore =
        throttle().store(shared).hashKeyFrom(source).maxFailuresPerAccount(2).build();
    assertThat(startedBefore.reserve("alice", null).admitted()).isTrue();

    ring.set(promoted);
    LoginThrottle startedAfter =
        throttle().store(shared).hashKeyFrom(source).maxFailuresPerAccount(2).build();
    assertThat(startedAfter.reserve("alice", null).admitted()).isTrue();
    assertThat(startedBefore.reserve("alice", null).admitted()).isTrue();
    assertThat(startedAfter.reserve("alice", null).refusal())
        .as("both hash under the promoted key: one budget of two")
        .isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(startedBefore.reserve("alice", null).refusal())
        .isEqualTo(LoginResult.Reason.THROTTLED);
    assertThatThrownBy(() -> throttle()
            .store(shared)
            .hashKey(LoginThrottle.hashKeyOf(first))
            .hashKeyFrom(source)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not both");
  }
}
