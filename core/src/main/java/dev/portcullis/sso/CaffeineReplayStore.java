package dev.portcullis.sso;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.portcullis.internal.Tickers;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/** {@link ReplayStore} in Caffeine; entries expire at their {@code keepUntil}. */
final class CaffeineReplayStore implements ReplayStore {
  private static final Duration LONGEST = Duration.ofDays(3650);
  private final InstantSource clock;
  private final Cache<String, Instant> used;

  CaffeineReplayStore(InstantSource clock, long maximumSize) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.used = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfter(new Expiry<String, Instant>() {
          @Override
          public long expireAfterCreate(String key, Instant keepUntil, long currentTime) {
            // Kept until keepUntil, however far: a legacy cookie is used for as long as it is
            // valid.
            // Beyond LONGEST only so that the nanoseconds do not overflow.
            Duration d = Duration.between(clock.instant(), keepUntil);
            return d.isNegative() ? 0 : d.compareTo(LONGEST) > 0 ? LONGEST.toNanos() : d.toNanos();
          }

          @Override
          public long expireAfterUpdate(
              String key, Instant v, long currentTime, long currentDuration) {
            return currentDuration;
          }

          @Override
          public long expireAfterRead(
              String key, Instant v, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .maximumSize(maximumSize)
        .build();
  }

  @Override
  public boolean markUsed(String tokenId, Instant keepUntil) {
    Objects.requireNonNull(tokenId, "tokenId");
    return used.asMap().putIfAbsent(tokenId, keepUntil) == null;
  }
}
