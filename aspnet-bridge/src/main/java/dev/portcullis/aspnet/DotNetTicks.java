package dev.portcullis.aspnet;

import java.time.Instant;

/** .NET's DateTime ticks: 100 ns units since 0001-01-01T00:00:00 UTC, up to the end of year 9999. */
final class DotNetTicks {
  static final long MAX_TICKS = 3_155_378_975_999_999_999L;
  private static final long TICKS_PER_SECOND = 10_000_000L;
  private static final long UNIX_EPOCH_TICKS = 621_355_968_000_000_000L;
  /** Windows FILETIME counts from 1601-01-01, which is this many ticks after year 1. */
  private static final long FILETIME_EPOCH_TICKS = 504_911_232_000_000_000L;

  private static final Instant MIN_INSTANT = toInstant(0);
  private static final Instant MAX_INSTANT = toInstant(MAX_TICKS);

  private DotNetTicks() {}

  static boolean inRange(long ticks) {
    return ticks >= 0 && ticks <= MAX_TICKS;
  }

  /** The instant of in-range ticks; the caller checks {@link #inRange(long)}. */
  static Instant toInstant(long ticks) {
    long sinceEpoch = ticks - UNIX_EPOCH_TICKS;
    return Instant.ofEpochSecond(
        Math.floorDiv(sinceEpoch, TICKS_PER_SECOND),
        Math.floorMod(sinceEpoch, TICKS_PER_SECOND) * 100);
  }

  /**
   * The ticks of an instant, dropping anything finer than 100 ns.
   *
   * @throws IllegalArgumentException outside .NET's DateTime range
   */
  static long fromInstant(Instant instant) {
    if (instant.isBefore(MIN_INSTANT) || instant.isAfter(MAX_INSTANT)) {
      throw new IllegalArgumentException(
          "time is outside the .NET DateTime range (years 1 to 9999)");
    }
    return instant.getEpochSecond() * TICKS_PER_SECOND + instant.getNano() / 100 + UNIX_EPOCH_TICKS;
  }

  static Instant truncate(Instant instant) {
    return toInstant(fromInstant(instant));
  }

  /** Ticks of a Windows FILETIME, or -1 if the result is outside the DateTime range. */
  static long fromFileTime(long fileTime) {
    if (fileTime < 0 || fileTime > MAX_TICKS - FILETIME_EPOCH_TICKS) {
      return -1;
    }
    return fileTime + FILETIME_EPOCH_TICKS;
  }

  static long toFileTime(long ticks) {
    if (ticks < FILETIME_EPOCH_TICKS) {
      throw new IllegalArgumentException("time is before 1601, which a legacy ticket cannot hold");
    }
    return ticks - FILETIME_EPOCH_TICKS;
  }
}
