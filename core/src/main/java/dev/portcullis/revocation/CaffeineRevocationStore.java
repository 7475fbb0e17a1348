package dev.portcullis.revocation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.portcullis.internal.Tickers;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * {@link RevocationStore} in Caffeine: each entry expires when the ticket it concerns would have. Bounded: when more
 * than {@code maximumSize} entries would be held, the build-time size is the limit and the oldest are evicted, so
 * size it above the number of revocations expected within one ticket lifetime.
 */
final class CaffeineRevocationStore implements RevocationStore {

  private record Entry(Instant value, Instant keepUntil) {}

  private final InstantSource clock;
  private final Cache<String, Entry> tickets;
  private final Cache<String, Entry> users;

  CaffeineRevocationStore(InstantSource clock, long maximumSize) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Expiry<String, Entry> untilKeep = new Expiry<>() {
      @Override
      public long expireAfterCreate(String key, Entry e, long currentTime) {
        return Tickers.nanosUntil(clock, e.keepUntil());
      }

      @Override
      public long expireAfterUpdate(String key, Entry e, long currentTime, long currentDuration) {
        return Tickers.nanosUntil(clock, e.keepUntil());
      }

      @Override
      public long expireAfterRead(String key, Entry e, long currentTime, long currentDuration) {
        return currentDuration;
      }
    };
    this.tickets = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfter(untilKeep)
        .maximumSize(maximumSize)
        .build();
    this.users = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfter(untilKeep)
        .maximumSize(maximumSize)
        .build();
  }

  @Override
  public void revoke(String ticketId, Instant expiresAt) {
    tickets.put(ticketId, new Entry(expiresAt, expiresAt));
  }

  @Override
  public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
    users
        .asMap()
        .merge(
            userHandle,
            new Entry(cutOff, keepUntil),
            (old, neu) -> new Entry(
                old.value().isAfter(neu.value()) ? old.value() : neu.value(),
                old.keepUntil().isAfter(neu.keepUntil()) ? old.keepUntil() : neu.keepUntil()));
  }

  @Override
  public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
    if (tickets.getIfPresent(ticketId) != null) {
      return true;
    }
    Entry cut = users.getIfPresent(userHandle);
    return cut != null && !issuedAt.isAfter(cut.value());
  }
}
