package dev.portcullis.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.transport.IpAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many times each client address has done something (of each kind) in the current window: at most {@code limit}
 * per {@code window}, an IPv4 address counted alone and an IPv6 address by its /64 (one subscriber's usual
 * allocation). A window starts with an address's first count of that kind. The counts live in a Caffeine cache
 * bounded by {@code trackedAddresses} (address and kind pairs).
 *
 * <p><b>Security.</b> Memory stays bounded however many addresses send requests; an address forgotten for room starts
 * afresh, which lets a client with very many addresses past the limit. Text that is not an address is counted under
 * one shared key, so it cannot escape the limit.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
public final class PerAddressLimit {
  private static final ByteBuffer UNKNOWN = ByteBuffer.wrap(new byte[0]);

  private final int limit;
  private final Cache<Key, AtomicInteger> counts;

  /** A client prefix and what it did. */
  private record Key(ByteBuffer prefix, String kind) {}

  /**
   * @param limit how many per address and window; at least 1
   * @param window how long a window lasts from an address's first count; positive
   * @param trackedAddresses how many addresses (address and kind pairs) are counted at once; at least 1
   */
  public PerAddressLimit(int limit, Duration window, long trackedAddresses, InstantSource clock) {
    if (limit < 1 || trackedAddresses < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "a per-address limit needs a positive limit, window and number of addresses");
    }
    this.limit = limit;
    this.counts = Caffeine.newBuilder()
        .maximumSize(trackedAddresses)
        // A count is created once and only ever incremented: expire-after-write is a fixed window
        // from the first.
        .expireAfterWrite(window)
        .ticker(Tickers.of(clock))
        .executor(Runnable::run)
        .build();
  }

  /** Counts one more for {@code clientAddress}; false when that is past the limit. */
  public boolean tryAcquire(String clientAddress) {
    return tryAcquire(clientAddress, "");
  }

  /**
   * Counts one more of {@code kind} for {@code clientAddress}; false when that is past the limit. Each kind has a
   * limit of its own, so that one kind cannot use up another's.
   */
  public boolean tryAcquire(String clientAddress, String kind) {
    AtomicInteger count =
        counts.get(new Key(prefix(clientAddress), kind), k -> new AtomicInteger());
    return count.incrementAndGet() <= limit;
  }

  private static ByteBuffer prefix(String clientAddress) {
    IpAddress address =
        clientAddress == null ? null : IpAddress.parse(clientAddress).orElse(null);
    if (address == null) {
      return UNKNOWN;
    }
    return ByteBuffer.wrap(address.clientPrefix());
  }
}
