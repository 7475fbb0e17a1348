package dev.portcullis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.internal.PerAddressLimit.Overflow;
import dev.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The per-address limit's report of windows that went past it: once each, when the window closes. */
class PerAddressLimitTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final Instant t0 = clock.instant();
  private final List<Overflow> told = new CopyOnWriteArrayList<>();

  private PerAddressLimit limit(int perWindow, long tracked) {
    return new PerAddressLimit(perWindow, Duration.ofMinutes(1), tracked, clock, told::add);
  }

  private static void count(PerAddressLimit limit, String address, String kind, int times) {
    for (int i = 0; i < times; i++) {
      limit.tryAcquire(address, kind);
    }
  }

  @Test
  void aWindowPastTheLimit_isToldOnceWhenItsTimeIsUp() {
    PerAddressLimit limit = limit(3, 100);
    count(limit, "203.0.113.7", "csrf_fail", 10);
    count(limit, "198.51.100.1", "csrf_fail", 3);
    limit.expire();
    assertThat(told).isEmpty();

    clock.advance(Duration.ofMinutes(1));
    limit.expire();
    limit.expire();
    assertThat(told)
        .containsExactly(new Overflow(
            "203.0.113.7",
            "203.0.113.7",
            "csrf_fail",
            t0,
            t0.plus(Duration.ofMinutes(1)),
            7,
            false));
    assertThat(limit.tryAcquire("203.0.113.7", "csrf_fail")).as("a new window").isTrue();
  }

  @Test
  void windowsForgottenForRoom_areTold_cutShort_andNoCountPastTheLimitGoesUntold() {
    PerAddressLimit limit = limit(1, 2);
    long refused = 0;
    for (int i = 1; i <= 50; i++) {
      clock.advance(Duration.ofMillis(100));
      for (int n = 0; n < 3; n++) {
        refused += limit.tryAcquire("10.0.0." + i, "csrf_fail") ? 0 : 1;
      }
    }
    limit.expire();
    assertThat(told).as("windows forgotten for room").isNotEmpty();
    assertThat(told).allSatisfy(o -> {
      assertThat(o.cutShort()).isTrue();
      assertThat(o.end()).isAfter(o.start()).isBefore(o.start().plus(Duration.ofMinutes(1)));
    });
    long toldPast = told.stream().mapToLong(Overflow::past).sum();
    long openPast = limit.openOverflows().stream().mapToLong(Overflow::past).sum();
    assertThat(toldPast + openPast).isEqualTo(refused);
  }

  @Test
  void openOverflows_listsTheOpenWindowsPastTheLimit_byTheirSlash64() {
    PerAddressLimit limit = limit(2, 100);
    count(limit, "2001:db8:1:2::9", "access_denied", 1);
    count(limit, "2001:db8:1:2::a", "access_denied", 4);
    count(limit, "203.0.113.7", "access_denied", 2);
    clock.advance(Duration.ofSeconds(5));
    assertThat(limit.openOverflows())
        .containsExactly(new Overflow(
            "2001:db8:1:2::9",
            "2001:db8:1:2::/64",
            "access_denied",
            t0,
            t0.plusSeconds(5),
            3,
            true));
    assertThat(told).isEmpty();
  }

  @Test
  void theNextWindow_isToldToo() {
    PerAddressLimit limit = limit(2, 100);
    count(limit, "203.0.113.7", "csrf_fail", 10);
    clock.advance(Duration.ofMinutes(1));
    count(limit, "203.0.113.7", "csrf_fail", 7);
    clock.advance(Duration.ofMinutes(1));
    limit.expire();
    assertThat(told)
        .extracting(o -> o.start() + " " + o.end() + " " + o.past() + " " + o.cutShort())
        .containsExactly(
            t0 + " " + t0.plusSeconds(60) + " 8 false",
            t0.plusSeconds(60) + " " + t0.plusSeconds(120) + " 5 false");
  }

  @Test
  void withoutAListener_theLimitStillHolds() {
    PerAddressLimit limit = new PerAddressLimit(2, Duration.ofMinutes(1), 10, clock);
    assertThat(limit.tryAcquire("203.0.113.7")).isTrue();
    assertThat(limit.tryAcquire("203.0.113.7")).isTrue();
    assertThat(limit.tryAcquire("203.0.113.7")).isFalse();
    assertThat(limit.tryAcquire("not an address")).isTrue();
  }

  @Test
  void aCountGivenBack_isFreeAgain_forThatAddressAndKindOnly() {
    PerAddressLimit limit = limit(2, 100);
    assertThat(limit.tryAcquire("203.0.113.7", "session")).isTrue();
    assertThat(limit.tryAcquire("203.0.113.7", "session")).isTrue();
    assertThat(limit.tryAcquire("203.0.113.7", "other")).isTrue();

    limit.giveBack("203.0.113.7", "session");
    limit.giveBack("198.51.100.1", "session"); // no window: nothing to give back

    assertThat(limit.tryAcquire("203.0.113.7", "session")).as("given back").isTrue();
    assertThat(limit.tryAcquire("203.0.113.7", "session")).as("the limit again").isFalse();
    assertThat(limit.tryAcquire("198.51.100.1", "session")).isTrue();
    assertThat(limit.tryAcquire("198.51.100.1", "session")).isTrue();
    assertThat(limit.tryAcquire("198.51.100.1", "session")).isFalse();
    assertThat(limit.tryAcquire("203.0.113.7", "other")).isTrue();
    assertThat(limit.tryAcquire("203.0.113.7", "other")).isFalse();
  }
}
