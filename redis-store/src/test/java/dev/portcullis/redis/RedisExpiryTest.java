package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis's own TTLs: the expiry the SPI gives, by the injected clock, plus the configured clock skew; and they really
 * run out on Redis's clock. (The contract tests check the answers; this checks the housekeeping.)
 */
@ExtendWith(SharedRedis.class)
class RedisExpiryTest {
  private static final Duration SKEW = Duration.ofSeconds(30);

  private final RedisServer server;
  private final String prefix = SharedRedis.freshPrefix();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RedisInspector inspector;
  private RedisStores redis;

  RedisExpiryTest(RedisServer server) {
    this.server = server;
    inspector = new RedisInspector(server);
  }

  @AfterEach
  void close() {
    if (redis != null) {
      redis.close();
    }
    inspector.close();
  }

  private RedisStores stores(java.time.InstantSource time, Duration skew) {
    redis = RedisStores.connect(
        SharedRedis.patientConfig(server).keyPrefix(prefix).clockSkew(skew).build(), time);
    return redis;
  }

  private long pttl(String key) {
    return inspector.commands().pttl(key);
  }

  @Test
  void revokedTicket_isKeptUntilItsExpiryPlusTheClockSkew() {
    Keys names = new Keys(prefix, clock, SKEW);
    stores(clock, SKEW).revocationStore().revoke("t", clock.instant().plus(Duration.ofMinutes(10)));

    long expected = Duration.ofMinutes(10).plus(SKEW).toMillis();
    assertThat(pttl(names.revokedTicket("t"))).isBetween(expected - 5_000, expected);
  }

  @Test
  void movingTheInjectedClockBeforeWriting_shortensTheTtl() {
    Keys names = new Keys(prefix, clock, SKEW);
    RevocationStore store = stores(clock, SKEW).revocationStore();
    Instant expiry = clock.instant().plus(Duration.ofMinutes(10));

    clock.advance(Duration.ofMinutes(9));
    store.revoke("t", expiry);

    long expected = Duration.ofMinutes(1).plus(SKEW).toMillis();
    assertThat(pttl(names.revokedTicket("t"))).isBetween(expected - 5_000, expected);
  }

  @Test
  void userCutOff_keepsTheLaterKeepUntil_andTheLaterCutOff() {
    Keys names = new Keys(prefix, clock, SKEW);
    RevocationStore store = stores(clock, SKEW).revocationStore();
    Instant t0 = clock.instant();

    store.revokeAllIssuedBefore("u", t0, t0.plus(Duration.ofHours(2)));
    store.revokeAllIssuedBefore("u", t0.plusSeconds(60), t0.plus(Duration.ofHours(1)));

    long expected = Duration.ofHours(2).plus(SKEW).toMillis();
    assertThat(pttl(names.userCutOff("u"))).isBetween(expected - 5_000, expected);
    assertThat(store.isRevoked("x", "u", t0.plusSeconds(60))).isTrue();
    assertThat(store.isRevoked("x", "u", t0.plusSeconds(61))).isFalse();
  }

  @Test
  void records_reallyExpireOnRedis() throws InterruptedException {
    Clock wall = Clock.systemUTC();
    Keys names = new Keys(prefix, wall, Duration.ZERO);
    RedisStores stores = stores(wall, Duration.ZERO);
    Instant soon = wall.instant().plusMillis(300);
    stores.revocationStore().revoke("short-lived", soon);
    assertThat(stores.replayStore().markUsed("short-lived", soon)).isTrue();
    assertThat(inspector
            .commands()
            .exists(names.revokedTicket("short-lived"), names.usedToken("short-lived")))
        .isEqualTo(2);

    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (inspector
            .commands()
            .exists(names.revokedTicket("short-lived"), names.usedToken("short-lived"))
        > 0) {
      assertThat(System.nanoTime())
          .as("Redis dropped both records within 5 s")
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    assertThat(wall.instant()).isAfterOrEqualTo(soon);
  }

  @Test
  void tokenWhoseKeepUntilIsLongPast_isRefusedWithoutAWrite() {
    Keys names = new Keys(prefix, clock, SKEW);

    boolean used = stores(clock, SKEW)
        .replayStore()
        .markUsed("old", clock.instant().minus(Duration.ofMinutes(5)));

    assertThat(used).isFalse();
    assertThat(inspector.commands().exists(names.usedToken("old"))).isZero();
  }

  @Test
  void tokenJustPastItsKeepUntil_isStillRecordedForTheSkew() {
    Keys names = new Keys(prefix, clock, SKEW);
    var replays = stores(clock, SKEW).replayStore();
    Instant justPast = clock.instant().minusSeconds(5);

    assertThat(replays.markUsed("late", justPast)).isTrue();
    assertThat(replays.markUsed("late", justPast)).isFalse();
    assertThat(pttl(names.usedToken("late"))).isBetween(20_000L, 25_000L);
  }
}
