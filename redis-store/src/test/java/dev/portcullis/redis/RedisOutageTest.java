package dev.portcullis.redis;

import static dev.portcullis.redis.Eventually.answers;
import static dev.portcullis.redis.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis frozen, killed and back: the stores fail closed within the command timeout, and the same instances work again
 * once Redis answers, without a restart of the node. Each test has its own server, since it breaks it.
 */
@ExtendWith(SharedRedis.class)
class RedisOutageTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  /** The timeout plus generous slack for a loaded two-core machine. */
  private static final Duration UPPER_BOUND = Duration.ofSeconds(2);

  private static final Path LOG = Path.of("target/redis-store-tests.log");

  private final MutableClock clock = MutableClock.startingAt2026();
  private RedisServer server;
  private RedisStores redis;
  private RevocationStore revocations;
  private ReplayStore replays;
  private AccountLinkStore links;

  @BeforeEach
  void start() throws Exception {
    server = RedisServer.start();
    redis = RedisStores.connect(
        RedisStoreConfig.builder().uri(server.uri()).commandTimeout(TIMEOUT).build(), clock);
    revocations = redis.revocationStore();
    replays = redis.replayStore();
    links = redis.accountLinkStore();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      redis.close();
    } finally {
      server.close();
    }
  }

  @Test
  void
      frozenRedis_failsEveryCallClosedWithinTheTimeout_andTheSameStoresResumeWithTheirDataWhenItThaws()
          throws Exception {
    Instant later = clock.instant().plus(Duration.ofHours(1));
    revocations.revoke("ticket-before-outage", later);
    assertThat(replays.markUsed("token-before-outage", later)).isTrue();
    links.link("https://idp.example", "subject-before-outage", "u-outage");

    server.freeze();
    try {
      Duration slowest = Duration.ZERO;
      slowest = max(
          slowest,
          failsWithin(() -> revocations.isRevoked("ticket-before-outage", "u", clock.instant())));
      slowest = max(slowest, failsWithin(() -> revocations.revoke("ticket-during-outage", later)));
      slowest = max(
          slowest,
          failsWithin(() -> revocations.revokeAllIssuedBefore("u", clock.instant(), later)));
      slowest = max(slowest, failsWithin(() -> replays.markUsed("token-during-outage", later)));
      slowest =
          max(slowest, failsWithin(() -> links.link("https://idp.example", "subject-x", "u-x")));
      slowest = max(
          slowest,
          failsWithin(() -> links.userFor("https://idp.example", "subject-before-outage")));
      assertThat(slowest)
          .as("a frozen Redis is waited for about the command timeout")
          .isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
      System.out.println("[RedisOutageTest] frozen Redis: slowest failing call took "
          + slowest.toMillis() + " ms");
    } finally {
      server.thaw();
    }

    Duration back =
        eventually(() -> answers(() -> revocations.isRevoked("x", "u", clock.instant())));
    System.out.println(
        "[RedisOutageTest] thawed Redis answered again after " + back.toMillis() + " ms");
    assertThat(revocations.isRevoked("ticket-before-outage", "u", clock.instant()))
        .isTrue();
    assertThat(revocations.isRevoked("ticket-never-revoked", "u", clock.instant()))
        .isFalse();
    assertThat(replays.markUsed("token-before-outage", later))
        .as("a used token stays used")
        .isFalse();
    assertThat(links.userFor("https://idp.example", "subject-before-outage")).contains("u-outage");
  }

  @Test
  void killedRedis_refusesCallsAtOnce_andTheSameStoresReconnectWhenItIsBackOnTheSamePort()
      throws Exception {
    Instant later = clock.instant().plus(Duration.ofHours(1));
    revocations.revoke("ticket-1", later);
    server.kill();

    // The first call may still be on its way when the socket closes; once the client knows, it
    // refuses at once.
    Duration slowest = Duration.ZERO;
    for (int i = 0; i < 5; i++) {
      slowest =
          max(slowest, failsWithin(() -> revocations.isRevoked("ticket-1", "u", clock.instant())));
    }
    System.out.println(
        "[RedisOutageTest] killed Redis: slowest failing call took " + slowest.toMillis() + " ms");

    server.restart();
    Duration back =
        eventually(() -> answers(() -> revocations.isRevoked("x", "u", clock.instant())));
    System.out.println(
        "[RedisOutageTest] restarted Redis answered again after " + back.toMillis() + " ms");

    assertThat(revocations.isRevoked("ticket-1", "u", clock.instant()))
        .as("the new server started empty (no persistence in tests)")
        .isFalse();
    revocations.revoke("ticket-2", later);
    assertThat(revocations.isRevoked("ticket-2", "u", clock.instant())).isTrue();
    assertThat(replays.markUsed("token-after-restart", later)).isTrue();
    assertThat(replays.markUsed("token-after-restart", later)).isFalse();
  }

  @Test
  void outageWarning_namesTheOperationAndEndpoint_butNoIdentifier() throws Exception {
    String ticketId = "raw-ticket-id-7f3a";
    String userHandle = "raw-user-handle-91c2";
    server.freeze();
    try {
      assertThatThrownBy(() -> revocations.isRevoked(ticketId, userHandle, clock.instant()))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageNotContaining(ticketId)
          .hasMessageNotContaining(userHandle);
    } finally {
      server.thaw();
    }

    String log = Files.readString(LOG);
    assertThat(log)
        .contains("WARN")
        .contains("could not check a revocation")
        .contains("127.0.0.1:" + server.port());
    assertThat(log).doesNotContain(ticketId).doesNotContain(userHandle);
  }

  @Test
  void closedStores_failClosed() {
    redis.close();

    assertThatThrownBy(() -> revocations.isRevoked("t", "u", clock.instant()))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> replays.markUsed("t", clock.instant().plusSeconds(60)))
        .isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void connect_toNoRedis_failsWithStoreUnavailable() throws Exception {
    server.kill();

    long start = System.nanoTime();
    assertThatThrownBy(() -> RedisStores.connect(
            RedisStoreConfig.builder().uri(server.uri()).commandTimeout(TIMEOUT).build(), clock))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("127.0.0.1:" + server.port());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  /** Asserts that {@code call} throws StoreUnavailableException within {@link #UPPER_BOUND}; returns how long. */
  private static Duration failsWithin(ThrowingCallable call) {
    long start = System.nanoTime();
    assertThatThrownBy(call).isInstanceOf(StoreUnavailableException.class);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isLessThan(UPPER_BOUND);
    return took;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
