package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LoginAttemptStore} must do. A store implementation's test extends this and supplies the store, a
 * way to move its clock and, for a shared store, a second client of the same store (another node).
 */
public abstract class LoginAttemptStoreContract {
  private static final Duration HOUR = Duration.ofHours(1);

  protected abstract LoginAttemptStore store();

  /** Moves the store's notion of time forward. */
  protected abstract void advance(Duration by);

  /** The same store as another node sees it; by default the same client. */
  protected LoginAttemptStore sameStoreOnAnotherNode() {
    return store();
  }

  /**
   * What {@link LoginAttemptStore#sharedBetweenNodes()} must answer: true for a store that several nodes can share
   * (Redis, PostgreSQL), false for one in a node's memory.
   */
  protected abstract boolean expectSharedBetweenNodes();

  @Test
  void sharedBetweenNodes_isAnsweredAsTheStoreIsDeployed() {
    assertThat(store().sharedBetweenNodes()).isEqualTo(expectSharedBetweenNodes());
    assertThat(sameStoreOnAnotherNode().sharedBetweenNodes()).isEqualTo(expectSharedBetweenNodes());
  }

  @Test
  void reservations_upToTheLimit_areTaken_andTheNextIsRefused_perKey() {
    LoginAttemptStore s = store();
    for (long id = 1; id <= 3; id++) {
      assertThat(s.reserve("budget-a", id, 3, HOUR)).as("slot %d", id).isTrue();
    }
    assertThat(s.reserve("budget-a", 4, 3, HOUR)).isFalse();
    assertThat(s.reserve("budget-b", 4, 3, HOUR)).isTrue();
  }

  @Test
  void aRefusedReservation_takesNoSlot() {
    LoginAttemptStore s = store();
    assertThat(s.reserve("full", 1, 2, HOUR)).isTrue();
    assertThat(s.reserve("full", 2, 2, HOUR)).isTrue();
    for (long id = 3; id < 10; id++) {
      assertThat(s.reserve("full", id, 2, HOUR)).isFalse();
    }
    s.release("full", 1);
    assertThat(s.reserve("full", 10, 2, HOUR)).isTrue();
    assertThat(s.reserve("full", 11, 2, HOUR)).isFalse();
  }

  @Test
  void release_givesBackItsOwnSlotOnce_andAnUnknownOneNothing() {
    LoginAttemptStore s = store();
    s.reserve("r", 1, 2, HOUR);
    s.reserve("r", 2, 2, HOUR);
    s.release("r", 99);
    s.release("other", 1);
    assertThat(s.reserve("r", 3, 2, HOUR)).isFalse();
    s.release("r", 1);
    s.release("r", 1);
    assertThat(s.reserve("r", 4, 2, HOUR)).isTrue();
    assertThat(s.reserve("r", 5, 2, HOUR)).isFalse();
    // Released everything: the budget is empty again.
    s.release("r", 2);
    s.release("r", 4);
    assertThat(s.reserve("r", 6, 2, HOUR)).isTrue();
    assertThat(s.reserve("r", 7, 2, HOUR)).isTrue();
  }

  @Test
  void slots_leaveTheSlidingWindowOneByOne() {
    LoginAttemptStore s = store();
    assertThat(s.reserve("w", 1, 2, HOUR)).isTrue();
    advance(Duration.ofMinutes(30));
    assertThat(s.reserve("w", 2, 2, HOUR)).isTrue();
    assertThat(s.reserve("w", 3, 2, HOUR)).isFalse();
    advance(Duration.ofMinutes(29));
    assertThat(s.reserve("w", 4, 2, HOUR)).isFalse();
    advance(Duration.ofMinutes(1)); // slot 1 is an hour old
    assertThat(s.reserve("w", 5, 2, HOUR)).isTrue();
    assertThat(s.reserve("w", 6, 2, HOUR)).isFalse();
    advance(Duration.ofMinutes(30)); // slot 2 is an hour old
    assertThat(s.reserve("w", 7, 2, HOUR)).isTrue();
    assertThat(s.reserve("w", 8, 2, HOUR)).isFalse();
    // Once every slot is out of the window, the whole budget is free.
    advance(HOUR);
    assertThat(s.reserve("w", 9, 2, HOUR)).isTrue();
    assertThat(s.reserve("w", 10, 2, HOUR)).isTrue();
  }

  @Test
  void aThousandConcurrentReservations_fromTwoNodes_takeExactlyTheLimit() throws Exception {
    LoginAttemptStore[] nodes = {store(), sameStoreOnAnotherNode()};
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 1_000; i++) {
        long id = 1_000_000L + i;
        LoginAttemptStore node = nodes[i % 2];
        results.add(pool.submit(() -> {
          start.await();
          return node.reserve("raced", id, 100, HOUR);
        }));
      }
      start.countDown();
      int taken = 0;
      for (Future<Boolean> f : results) {
        taken += f.get(1, TimeUnit.MINUTES) ? 1 : 0;
      }
      assertThat(taken).isEqualTo(100);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store().reserve("raced", 1, 100, HOUR)).isFalse();
    assertThat(store().reserve("raced", 1, 101, HOUR)).isTrue();
  }

  @Test
  void knownAddress_isKnownFromItsFirstLogin_untilItsTimeRunsOut() {
    LoginAttemptStore s = store();
    assertThat(s.isKnownAddress("k-1")).isFalse();
    s.rememberAddress("k-1", Duration.ofDays(10));
    assertThat(s.isKnownAddress("k-1")).isTrue();
    assertThat(sameStoreOnAnotherNode().isKnownAddress("k-1")).isTrue();
    assertThat(s.isKnownAddress("k-2")).isFalse();
    advance(Duration.ofDays(10).minusMinutes(1));
    assertThat(s.isKnownAddress("k-1")).isTrue();
    advance(Duration.ofMinutes(1));
    assertThat(s.isKnownAddress("k-1")).isFalse();
  }

  @Test
  void rememberingAgain_startsTheTimeAfresh() {
    LoginAttemptStore s = store();
    s.rememberAddress("k-again", Duration.ofDays(10));
    advance(Duration.ofDays(6));
    s.rememberAddress("k-again", Duration.ofDays(10));
    advance(Duration.ofDays(6));
    assertThat(s.isKnownAddress("k-again")).isTrue();
    advance(Duration.ofDays(4));
    assertThat(s.isKnownAddress("k-again")).isFalse();
  }

  @Test
  void budgetsAndKnownAddresses_doNotMix() {
    LoginAttemptStore s = store();
    s.rememberAddress("same-key", Duration.ofDays(1));
    assertThat(s.reserve("same-key", 1, 1, HOUR)).isTrue();
    assertThat(s.reserve("same-key", 2, 1, HOUR)).isFalse();
    s.release("same-key", 1);
    assertThat(s.isKnownAddress("same-key")).isTrue();
    assertThat(s.isKnownAddress("never-reserved")).isFalse();
    s.reserve("never-reserved", 3, 1, HOUR);
    assertThat(s.isKnownAddress("never-reserved")).isFalse();
  }

  @Test
  void nonsenseLimitsAndDurations_areRefused() {
    LoginAttemptStore s = store();
    assertThatThrownBy(() -> s.reserve("x", 1, 0, HOUR))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.reserve("x", 1, 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.rememberAddress("x", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(s.reserve("x", 1, 1, HOUR)).isTrue();
  }
}
