package dev.portcullis.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.portcullis.transport.IpAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * How many times each client address has done something (of each kind) in the current window: at most {@code limit}
 * per {@code window}, an IPv4 address counted alone and an IPv6 address by its /64 (one subscriber's usual
 * allocation). A window starts with an address's first count of that kind. The counts live in a Caffeine cache
 * bounded by {@code trackedAddresses} (address and kind pairs).
 *
 * <p>Counts past the limit are kept too, so that a listener given to the constructor can be told, once per window,
 * how many there were ({@link Overflow}) when the window closes: when its time is up, or earlier when it is forgotten
 * for room.
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
  private final long windowMillis;
  private final InstantSource clock;
  private final Cache<Key, Window> counts;

  /** A client prefix and what it did. */
  private record Key(ByteBuffer prefix, String kind) {}

  /**
   * One prefix's count of one kind since its window started; incremented, and decremented only by
   * {@link #giveBack}.
   */
  private static final class Window {
    final String clientAddress; // the address whose count opened the window
    final long startMillis;
    final AtomicLong count = new AtomicLong();

    Window(String clientAddress, long startMillis) {
      this.clientAddress = clientAddress;
      this.startMillis = startMillis;
    }
  }

  /**
   * A window that had counts past the limit, told once when it closes.
   *
   * @param clientAddress the address whose count opened the window, as it was given
   * @param clientPrefix what was counted: the IPv4 address, or an IPv6 address's /64 ({@code 2001:db8:1:2::/64});
   *     {@code unknown} for text that is not an address
   * @param kind what was counted
   * @param start when the window started, by the injected clock
   * @param end when it closed: its start plus the window, or earlier for a window cut short
   * @param past how many counts were past the limit
   * @param cutShort whether the window closed before its time: forgotten for room, or taken while still open by
   *     {@link #openOverflows()}
   */
  public record Overflow(
      String clientAddress,
      String clientPrefix,
      String kind,
      Instant start,
      Instant end,
      long past,
      boolean cutShort) {}

  /**
   * @param limit how many per address and window; at least 1
   * @param window how long a window lasts from an address's first count; positive
   * @param trackedAddresses how many addresses (address and kind pairs) are counted at once; at least 1
   */
  public PerAddressLimit(int limit, Duration window, long trackedAddresses, InstantSource clock) {
    this(limit, window, trackedAddresses, clock, null);
  }

  /**
   * A limit that tells {@code overflows} of each window that closes with counts past the limit. Windows close lazily:
   * on a later count, on the cache's own upkeep, or on {@link #expire()}; the listener runs on the thread that closes
   * one, a request thread too, so it must be quick and must not throw.
   *
   * @param overflows told of each window that had counts past the limit when it closes; null for none
   */
  public PerAddressLimit(
      int limit,
      Duration window,
      long trackedAddresses,
      InstantSource clock,
      Consumer<Overflow> overflows) {
    if (limit < 1 || trackedAddresses < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "a per-address limit needs a positive limit, window and number of addresses");
    }
    this.limit = limit;
    this.windowMillis = window.toMillis();
    this.clock = Objects.requireNonNull(clock, "clock");
    Caffeine<Object, Object> builder = Caffeine.newBuilder()
        .maximumSize(trackedAddresses)
        // A window is written to the cache once, and counted in place: expire-after-write is a
        // fixed window from the first count.
        .expireAfterWrite(window)
        .ticker(Tickers.of(clock))
        .executor(Runnable::run);
    this.counts = overflows == null
        ? builder.build()
        : builder
            .<Key, Window>evictionListener((key, value, cause) -> {
              if (key != null && value != null && value.count.get() > limit) {
                overflows.accept(overflow(key, value, cause != RemovalCause.EXPIRED));
              }
            })
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
    Key key = new Key(prefix(clientAddress), kind);
    Window window = counts.getIfPresent(key);
    if (window == null) { // the first of a window only: the clock is read once per window
      window = counts.get(key, k -> new Window(clientAddress, clock.millis()));
    }
    return window.count.incrementAndGet() <= limit;
  }

  /**
   * Takes back one count that {@link #tryAcquire(String)} granted {@code clientAddress} in the current window, for an
   * action that did not happen after all.
   */
  public void giveBack(String clientAddress) {
    giveBack(clientAddress, "");
  }

  /**
   * Takes back one count of {@code kind} that {@link #tryAcquire(String, String)} granted {@code clientAddress} in the
   * current window, for an action that did not happen after all (the store it needed did not answer). Nothing when the
   * address has no open window; when the window closed between the two calls and a new one has begun, the count comes
   * off the new one, so each give-back lets at most one more through.
   *
   * <p><b>Security.</b> Only for counts granted (within the limit) and only for failures the client cannot cause:
   * otherwise a client that makes its own actions fail repeats them without limit.
   */
  public void giveBack(String clientAddress, String kind) {
    Window window = counts.getIfPresent(new Key(prefix(clientAddress), kind));
    if (window != null) {
      window.count.updateAndGet(c -> c > 0 ? c - 1 : 0);
    }
  }

  /** Closes the windows whose time is up now, telling the listener of those that had counts past the limit. */
  public void expire() {
    counts.cleanUp();
  }

  /**
   * The windows still open that have counts past the limit, each as if it closed now ({@link Overflow#cutShort()}).
   * They stay open and are counted on; the listener is told of them again when they close.
   */
  public List<Overflow> openOverflows() {
    List<Overflow> open = new ArrayList<>();
    for (Map.Entry<Key, Window> entry : counts.asMap().entrySet()) {
      if (entry.getValue().count.get() > limit) {
        open.add(overflow(entry.getKey(), entry.getValue(), true));
      }
    }
    return open;
  }

  private Overflow overflow(Key key, Window window, boolean cutShort) {
    long endMillis = window.startMillis + windowMillis;
    if (cutShort) {
      endMillis = Math.min(endMillis, clock.millis());
    }
    return new Overflow(
        window.clientAddress,
        prefixText(key.prefix()),
        key.kind(),
        Instant.ofEpochMilli(window.startMillis),
        Instant.ofEpochMilli(endMillis),
        window.count.get() - limit,
        cutShort);
  }

  private static String prefixText(ByteBuffer prefix) {
    byte[] bytes = new byte[prefix.remaining()];
    prefix.duplicate().get(bytes);
    if (bytes.length == 4) {
      return IpAddress.of(bytes).toString();
    }
    if (bytes.length == 8) {
      return IpAddress.of(Arrays.copyOf(bytes, 16)) + "/64";
    }
    return "unknown";
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
