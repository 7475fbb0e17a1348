package dev.portcullis.sso.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class UpgradeTokensConcurrencyTest {
  private static final int TOKENS = 1_000;

  @Test
  void concurrentDoubleRedemptions_redeemEachTokenExactlyOnce() throws Exception {
    MutableClock clock = MutableClock.startingAt2026();
    SecureRandom random = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    UpgradeTokens tokens = UpgradeTokens.create(
        ring,
        SsoConfig.DEFAULT_COOKIE,
        clock,
        random,
        ReplayStore.inMemory(clock),
        UpgradeTokens.DEFAULT_LIFETIME);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int i = 0; i < TOKENS; i++) {
        String sid = "sid-" + i;
        String cookie = tokens.issue("u-" + i, sid);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<UpgradeTokens.Redemption>> both = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
          both.add(pool.submit(() -> {
            start.await();
            return tokens.redeem(cookie, sid);
          }));
        }
        start.countDown();
        int redeemed = 0;
        int replayed = 0;
        for (Future<UpgradeTokens.Redemption> f : both) {
          UpgradeTokens.Redemption r = f.get();
          if (r instanceof UpgradeTokens.Redemption.Redeemed) {
            redeemed++;
          } else if (r instanceof UpgradeTokens.Redemption.Replayed) {
            replayed++;
          }
        }
        assertThat(redeemed).as("token %d redeemed", i).isEqualTo(1);
        assertThat(replayed).as("token %d replayed", i).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
