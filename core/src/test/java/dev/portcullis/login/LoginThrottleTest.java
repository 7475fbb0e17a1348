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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
  void maxTracked_isReadBack_theDefaultWhenUnset_andEmptyForAGivenStore() {
    assertThat(throttle().maxTracked(2_500).build().maxTracked()).hasValue(2_500);
    assertThat(throttle().build().maxTracked()).hasValue(LoginThrottle.DEFAULT_MAX_TRACKED);
    assertThat(LoginThrottle.DEFAULT_MAX_TRACKED).isEqualTo(100_000);
    assertThat(throttle()
            .store(LoginAttemptStore.inMemory(clock, 7))
            .hashKey(KeyMaterial.generate(random))
            .build()
            .maxTracked())
        .as("a given store bounds itself; the throttle does not know its bound")
        .isEmpty();
    assertThatThrownBy(() -> throttle().maxTracked(0).build())
        .hasMessageContaining("maxTracked must be positive");
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

  /** A name, and a spelling of it that some user directory takes for the same account. */
  static Stream<Arguments> spellingsOfOneName() {
    return Stream.of(
        Arguments.of("letter case", "alice", "ALICE"),
        Arguments.of("letter case", "alice", "aLiCe"),
        Arguments.of("trailing spaces", "alice", "alice "),
        Arguments.of("trailing spaces", "alice", "alice    "),
        Arguments.of("white space", "alice", " alice"),
        Arguments.of("white space", "alice", "al ice"),
        Arguments.of("white space", "alice", "alice\t"),
        Arguments.of("white space", "alice", "alice\u00A0"),
        Arguments.of("white space", "alice", "alice\u3000"),
        Arguments.of("full width", "alice", "\uFF41\uFF4C\uFF49\uFF43\uFF45"),
        Arguments.of("full width", "alice", "\uFF21\uFF2C\uFF29\uFF23\uFF25"),
        Arguments.of("full width", "alice", "a\uFF4Ci\uFF43e"),
        Arguments.of("format character", "alice", "ali\u200Bce"),
        Arguments.of("format character", "alice", "al\u200Dice"),
        Arguments.of("format character", "alice", "\u2060alice"),
        Arguments.of("format character", "alice", "alice\uFEFF"),
        Arguments.of("format character", "alice", "ali\u00ADce"),
        Arguments.of("format character", "alice", "al\u200Eice"),
        Arguments.of("Hangul filler", "alice", "alice\u3164"),
        Arguments.of("control", "alice", "alice\u0000"),
        Arguments.of("control", "alice", "ali\u0085ce"),
        Arguments.of("precomposed accent", "alice", "alic\u00E9"),
        Arguments.of("combining accent", "alice", "alice\u0301"),
        Arguments.of("combining accents", "alice", "a\u0308l\u0327i\u0323c\u030Ce\u0306\u0301"),
        Arguments.of("dotless i", "alice", "al\u0131ce"),
        Arguments.of("dotted capital I", "alice", "AL\u0130CE"),
        Arguments.of("sharp s", "strasse", "stra\u00DFe"),
        Arguments.of("capital sharp s", "strasse", "STRA\u1E9EE"),
        Arguments.of("long s", "strasse", "\u017Ftra\u017F\u017Fe"),
        Arguments.of("ligature", "griffin", "gri\uFB00in"),
        Arguments.of("ligature", "griffin", "gri\uFB03n"),
        Arguments.of("ligature", "finn", "\uFB01nn"),
        Arguments.of("Kelvin sign", "kate", "\u212Aate"),
        Arguments.of("circled letters", "kate", "\u24DA\u24D0\u24E3\u24D4"),
        Arguments.of(
            "mathematical letters", "kate", "\uD835\uDC24\uD835\uDC1A\uD835\uDC2D\uD835\uDC1E"),
        Arguments.of("stroke", "soren", "S\u00F8ren"),
        Arguments.of("stroke", "lukasz", "\u0141ukasz"),
        Arguments.of("ligature letter", "aeron", "\u00C6ron"),
        Arguments.of("stroke", "dorde", "\u0110or\u0111e"),
        Arguments.of("Catalan l", "collegi", "co\u0140legi"),
        Arguments.of("Catalan l", "collegi", "col\u00B7legi"),
        Arguments.of("double circled digit", "alice1", "alice\u24F5"),
        Arguments.of("katakana", "\u3042\u308A\u3059", "\u30A2\u30EA\u30B9"),
        Arguments.of("half-width katakana", "\u3042\u308A\u3059", "\uFF71\uFF98\uFF7D"),
        Arguments.of("small katakana", "\u304F\u308B", "\u31F0\u30EB"),
        Arguments.of("small kana", "\u304D\u3088\u3046\u3053", "\u30AD\u30E7\u30A6\u30B3"),
        Arguments.of("all at once", "strasse", " \uFF33\u0327tra\u00DF\u200Be\u0301\u00A0 "));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("spellingsOfOneName")
  void everySpellingOfAName_drawsOnTheAccountsBudget(String kind, String name, String spelling) {
    LoginService s = service(throttle().maxFailuresPerAccount(2));
    attempt(s, name, "x", ATTACKER);
    attempt(s, name, "x", ATTACKER);

    assertThat(attempt(s, spelling, "a", NEW_PLACE))
        .as("the account is at its limit, and %s (%s) is a spelling of %s", spelling, kind, name)
        .isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(users.passwordChecks()).isEqualTo(2);
    assertThat(LoginThrottle.accountKey(spelling)).isEqualTo(LoginThrottle.accountKey(name));
  }

  @Test
  void wrongGuessesInManySpellings_getTheAccountsLimitOfPasswordChecks() {
    LoginService s = service(throttle().maxFailuresPerAccount(5));
    List<String> spellings = spellingsOfOneName()
        .filter(a -> a.get()[1].equals("alice"))
        .map(a -> (String) a.get()[2])
        .toList();
    for (String spelling : spellings) {
      attempt(s, spelling, "guess", ATTACKER);
    }

    assertThat(users.passwordChecks())
        .as("password checks for %d spellings of one name", spellings.size())
        .isEqualTo(5);
    assertThat(attempt(s, "alice", "a", NEW_PLACE)).isEqualTo(LoginResult.Reason.THROTTLED);
  }

  @Test
  void aKnownAddress_isKnownForEverySpelling_andItsBudgetIsOneForAll() {
    LoginService s = service(throttle().maxFailuresPerAccount(3));
    assertThat(attempt(s, "alice", "a", HOME)).isNull();
    for (int i = 0; i < 3; i++) {
      attempt(s, "alice", "guess" + i, ATTACKER);
    }
    assertThat(attempt(s, "ALICE", "a", HOME))
        .as("the owner at a known address, while strangers have locked the account")
        .isNull();

    for (String spelling : List.of("alice\u200B", "ALICE ", "\uFF41\uFF4C\uFF49\uFF43\uFF45")) {
      assertThat(attempt(s, spelling, "guess", HOME)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    }

    assertThat(attempt(s, "alice", "a", HOME))
        .as("the known address's budget is spent, whatever spellings spent it")
        .isEqualTo(LoginResult.Reason.THROTTLED);
  }

  @Test
  void distinctNames_keepBudgetsOfTheirOwn() {
    List<String> names =
        List.of("alice", "alicia", "alic", "alice2", "al.ice", "ali-ce", "bob", "bobby", "b0b");
    assertThat(names.stream().map(LoginThrottle::accountKey).distinct())
        .as("keys of distinct names")
        .hasSize(names.size());

    LoginService s = service(throttle().maxFailuresPerAccount(2));
    attempt(s, "alice", "x", ATTACKER);
    attempt(s, "alice", "x", ATTACKER);
    assertThat(attempt(s, "ALICE ", "a", NEW_PLACE)).isEqualTo(LoginResult.Reason.THROTTLED);
    assertThat(attempt(s, "alicia", "x", NEW_PLACE)).isEqualTo(LoginResult.Reason.BAD_CREDENTIALS);
    assertThat(attempt(s, "bob", "b", NEW_PLACE)).isNull();
  }

  @Test
  void accountKey_foldsWhatTheJdkLeavesApart() {
    // Lower-casing alone leaves each of these as it is (or maps it to something else).
    assertThat(LoginThrottle.accountKey("\u00DF")).isEqualTo("ss");
    assertThat(LoginThrottle.accountKey("\u1E9E")).isEqualTo("ss");
    assertThat(LoginThrottle.accountKey("\u0131")).isEqualTo("i");
    assertThat(LoginThrottle.accountKey("\u017F")).isEqualTo("s");
    assertThat(LoginThrottle.accountKey("\uFB01")).isEqualTo("fi");
    assertThat(LoginThrottle.accountKey("\u212A")).isEqualTo("k");
    assertThat(LoginThrottle.accountKey("\u03C2")).isEqualTo(LoginThrottle.accountKey("\u03A3"));
    assertThat(LoginThrottle.accountKey("\u2126")).isEqualTo(LoginThrottle.accountKey("\u03C9"));
    assertThat(LoginThrottle.accountKey(null)).isEmpty();
  }

  @Test
  void accountKey_ofEveryCodePoint_isItsOwnKey() {
    // A key folded no further by a second pass: no spelling is left half-folded.
    List<String> unstable = new ArrayList<>();
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      if (Character.getType(cp) == Character.SURROGATE) {
        continue;
      }
      String key = LoginThrottle.accountKey("a" + Character.toString(cp) + "b");
      if (!LoginThrottle.accountKey(key).equals(key)) {
        unstable.add(String.format("U+%04X", cp));
      }
    }
    assertThat(unstable).isEmpty();
  }

  /**
   * The classes of strings that PostgreSQL's case- and accent-insensitive ICU collation compares equal, recorded from
   * a real server ({@code icu-level1-equal-names.txt} says how): a directory matching names by it finds one account
   * by each string of a class, so each class must have one key.
   */
  @Test
  void stringsAnIcuCollationComparesEqual_shareOneKey() throws IOException {
    List<String> split = new ArrayList<>();
    int classes = 0;
    try (InputStream in =
            LoginThrottleTest.class.getResourceAsStream("icu-level1-equal-names.txt");
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("#")) {
          continue;
        }
        classes++;
        List<String> keys = new ArrayList<>();
        for (String member : line.split(" ")) {
          StringBuilder name = new StringBuilder("x");
          if (!member.equals("-")) {
            for (String cp : member.split("\\+")) {
              name.appendCodePoint(Integer.parseInt(cp, 16));
            }
          }
          keys.add(LoginThrottle.accountKey(name.append('y').toString()));
        }
        if (keys.stream().distinct().count() > 1) {
          split.add(line + " -> " + keys.stream().distinct().toList());
        }
      }
    }
    assertThat(classes).as("classes read").isEqualTo(527);
    assertThat(split).as("classes of equal strings with more than one key").isEmpty();
  }
}
