package dev.portcullis.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.internal.Tickers;
import dev.portcullis.transport.IpAddress;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many anonymous sessions each client address has had stored in the current window: at most
 * {@link SessionConfig#anonymousSessionsPerAddress()} per {@link SessionConfig#anonymousSessionWindow()}, an IPv4
 * address counted alone and an IPv6 address by its /64 (one subscriber's usual allocation). A window starts with an
 * address's first session. The counts live in a Caffeine cache bounded by {@link SessionConfig#trackedAddresses()}.
 *
 * <p><b>Security.</b> Memory stays bounded however many addresses send requests; an address forgotten for room starts
 * afresh, which lets a client with very many addresses past the limit, but then the store's own bound (anonymous
 * sessions go first, logged-in ones never) still holds. Text that is not an address is counted under one shared
 * key, so it cannot escape the limit.
 */
final class AnonymousSessionLimit {
  private static final ByteBuffer UNKNOWN = ByteBuffer.wrap(new byte[0]);

  private final int limit;
  private final Cache<ByteBuffer, AtomicInteger> counts;

  AnonymousSessionLimit(SessionConfig config, InstantSource clock) {
    this.limit = config.anonymousSessionsPerAddress();
    this.counts = Caffeine.newBuilder()
        .maximumSize(config.trackedAddresses())
        // A count is created once and only ever incremented: expire-after-write is a fixed window
        // from the first.
        .expireAfterWrite(config.anonymousSessionWindow())
        .ticker(Tickers.of(clock))
        .executor(Runnable::run)
        .build();
  }

  /** Counts one more anonymous session for {@code clientAddress}; false when that is past the limit. */
  boolean tryAcquire(String clientAddress) {
    AtomicInteger count = counts.get(key(clientAddress), k -> new AtomicInteger());
    return count.incrementAndGet() <= limit;
  }

  private static ByteBuffer key(String clientAddress) {
    IpAddress address =
        clientAddress == null ? null : IpAddress.parse(clientAddress).orElse(null);
    if (address == null) {
      return UNKNOWN;
    }
    return ByteBuffer.wrap(address.clientPrefix());
  }
}
