package dev.portcullis.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link ReplayStore} must do; store tests extend it. */
public abstract class ReplayStoreContract {
  protected abstract ReplayStore store();

  /**
   * What {@link ReplayStore#sharedBetweenNodes()} must answer: true for a store that several nodes can share (Redis,
   * PostgreSQL), false for one in a node's memory.
   */
  protected abstract boolean expectSharedBetweenNodes();

  @Test
  void sharedBetweenNodes_isAnsweredAsTheStoreIsDeployed() {
    assertThat(store().sharedBetweenNodes()).isEqualTo(expectSharedBetweenNodes());
  }

  protected abstract Instant now();

  @Test
  void firstUse_succeeds_andEveryLaterUseFails() {
    ReplayStore s = store();
    Instant keep = now().plus(Duration.ofMinutes(5));
    assertThat(s.markUsed("tok-a", keep)).isTrue();
    assertThat(s.markUsed("tok-a", keep)).isFalse();
    assertThat(s.markUsed("tok-a", keep)).isFalse();
    assertThat(s.markUsed("tok-b", keep)).isTrue();
  }

  @Test
  void aMarkGivenBack_canBeUsedOnceMore_andOnlyThatId() {
    ReplayStore s = store();
    Instant keep = now().plus(Duration.ofMinutes(5));
    assertThat(s.markUsed("tok-back", keep)).isTrue();
    assertThat(s.markUsed("tok-kept", keep)).isTrue();

    assertThat(s.giveBack("tok-back")).isTrue();

    assertThat(s.markUsed("tok-back", keep)).as("redeemable once more").isTrue();
    assertThat(s.markUsed("tok-back", keep)).as("and once only").isFalse();
    assertThat(s.markUsed("tok-kept", keep)).as("another id stays used").isFalse();
  }

  /** How many of two redemptions of {@code id} started at the same instant on {@code pool} succeed. */
  private static int redeemedByTwoAtOnce(
      ExecutorService pool, ReplayStore s, String id, Instant keep) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> both = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      both.add(pool.submit(() -> {
        start.await();
        return s.markUsed(id, keep);
      }));
    }
    start.countDown();
    int won = 0;
    for (Future<Boolean> f : both) {
      won += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
    }
    return won;
  }

  @Test
  void aMarkGivenBack_isWonByExactlyOneOfTwoConcurrentRedemptions() throws Exception {
    ReplayStore s = store();
    Instant keep = now().plus(Duration.ofMinutes(5));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 200; i++) {
        String id = "back-race-" + i;
        assertThat(s.markUsed(id, keep)).isTrue();
        assertThat(s.giveBack(id)).isTrue();
        int won = redeemedByTwoAtOnce(pool, s, id, keep);
        assertThat(won).as(id).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentDoubleRedemptions_ofAThousandTokens_succeedExactlyOnceEach() throws Exception {
    ReplayStore s = store();
    Instant keep = now().plus(Duration.ofMinutes(5));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger wins = new AtomicInteger();
    try {
      for (int i = 0; i < 1_000; i++) {
        String id = "race-" + i;
        int won = redeemedByTwoAtOnce(pool, s, id, keep);
        assertThat(won).as(id).isEqualTo(1);
        wins.addAndGet(won);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(wins.get()).isEqualTo(1_000);
  }
}
