package dev.portcullis.sso;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.portcullis.internal.Tickers;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/** {@link ReplayStore} in Caffeine; entries expire at their {@code keepUntil}. */
final class CaffeineReplayStore implements ReplayStore {
  private final InstantSource clock;
  private final Cache<String, Instant> used;

  CaffeineReplayStore(InstantSource clock, long maximumSize) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.used = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfter(new Expiry<String, Instant>() {
          @Override
          public long expireAfterCreate(String key, Instant keepUntil, long currentTime) {
            // Kept until keepUntil, however far: a legacy cookie stays used while it is valid.
            return Tickers.nanosUntil(clock, keepUntil);
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

  @Override
  public boolean giveBack(String tokenId) {
    Objects.requireNonNull(tokenId, "tokenId");
    used.invalidate(tokenId);
    return true;
  }
}
