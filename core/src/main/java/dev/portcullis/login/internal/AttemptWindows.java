package dev.portcullis.login.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The arguments every {@code LoginAttemptStore} checks the same way, whether it keeps its state in memory, in Redis
 * or in PostgreSQL: a reservation needs a key and a positive limit, and a duration (a reservation's window, the time
 * an address is remembered) is counted in whole milliseconds, refused unless positive, at least one millisecond and at
 * most {@link #LONGEST_MILLIS}.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
public final class AttemptWindows {
  /** The longest duration a store counts, ten years (3,650 days) in milliseconds; a longer one is held to it. */
  public static final long LONGEST_MILLIS = Duration.ofDays(3650).toMillis();

  private AttemptWindows() {}

  /**
   * Refuses the arguments of a reservation that no store takes.
   *
   * @throws NullPointerException without a key
   * @throws IllegalArgumentException for a limit under one
   */
  public static void checkReservation(String key, int limit) {
    Objects.requireNonNull(key, "key");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
  }

  /**
   * {@code d} in whole milliseconds, at least one and at most {@link #LONGEST_MILLIS}.
   *
   * @throws IllegalArgumentException if {@code d} is zero or negative
   */
  public static long millis(Duration d) {
    Objects.requireNonNull(d, "duration");
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("the duration must be positive");
    }
    return d.compareTo(Duration.ofMillis(LONGEST_MILLIS)) > 0
        ? LONGEST_MILLIS
        : Math.max(1, d.toMillis());
  }
}
