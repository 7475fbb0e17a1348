package dev.portcullis.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Caffeine's clock from an injected {@link InstantSource}, so cache expiry follows the same time as everything else
 * (and a test's fake clock). Millisecond resolution, read without allocating: an entry may outlive its deadline by
 * less than a millisecond, never expire early.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
public final class Tickers {
  /** The longest expiry given to Caffeine: beyond it the nanoseconds would soon overflow a {@code long}. */
  private static final Duration LONGEST = Duration.ofDays(3650);

  private Tickers() {}

  public static Ticker of(InstantSource clock) {
    return () -> nanos(clock.millis());
  }

  /** A reading of an {@link InstantSource} in epoch milliseconds as a Caffeine ticker's nanoseconds. */
  public static long nanos(long epochMillis) {
    return epochMillis * 1_000_000L;
  }

  /**
   * Nanoseconds from now on {@code clock} until {@code deadline}, for a Caffeine {@code Expiry}: 0 when it has passed,
   * and at most ten years.
   */
  public static long nanosUntil(InstantSource clock, Instant deadline) {
    Duration d = Duration.between(clock.instant(), deadline);
    return d.isNegative() ? 0 : d.compareTo(LONGEST) > 0 ? LONGEST.toNanos() : d.toNanos();
  }
}
