package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.revocation.StoreUnavailableException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting, in tests, for a store to answer again after its Redis came back. */
final class Eventually {
  private Eventually() {}

  /** Whether {@code call} ran without the store being unavailable. */
  static boolean answers(Runnable call) {
    try {
      call.run();
      return true;
    } catch (StoreUnavailableException e) {
      return false;
    }
  }

  /**
   * Polls {@code condition} for at most ten seconds; fails the test if it never holds.
   *
   * @return how long it took to hold
   */
  static Duration eventually(BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("Redis answered again within 10 s").isLessThan(deadline);
      Thread.sleep(50);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
