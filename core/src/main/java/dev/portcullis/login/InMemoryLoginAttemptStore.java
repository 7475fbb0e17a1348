package dev.portcullis.login;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.portcullis.internal.Tickers;
import dev.portcullis.login.internal.AttemptWindows;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@link LoginAttemptStore} in Caffeine, for one node. A budget is an immutable list of slots (time taken, attempt
 * id), replaced in one {@code compute} per reservation or release, which Caffeine runs atomically per key. A budget is
 * dropped once its newest slot has left the window; a known address when its time runs out. Time is the injected
 * clock's, in milliseconds.
 *
 * <p>Bounded: at most {@code maxEntries} budgets and as many known addresses. Beyond that Caffeine's admission policy
 * (W-TinyLFU) keeps the frequently used entries, so a flood of one-off keys does not easily push out the budget of an
 * account under attack.
 */
final class InMemoryLoginAttemptStore implements LoginAttemptStore {
  private final InstantSource clock;
  private final Cache<String, Slots> budgets;
  private final Cache<String, Long> known;

  InMemoryLoginAttemptStore(InstantSource clock, long maxEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.budgets = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfter(new UntilMillis<String, Slots>(clock, Slots::expiresAtMillis))
        .maximumSize(maxEntries)
        .build();
    this.known = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfter(new UntilMillis<String, Long>(clock, until -> until))
        .maximumSize(maxEntries)
        .build();
  }

  @Override
  public boolean reserve(String key, long attemptId, int limit, Duration window) {
    AttemptWindows.checkReservation(key, limit);
    long windowMillis = AttemptWindows.millis(window);
    boolean[] taken = {false};
    budgets.asMap().compute(key, (k, slots) -> {
      long now = clock.millis();
      Slots current = slots == null ? Slots.NONE : slots.takenAfter(now - windowMillis);
      if (current.size() >= limit) {
        return current.isEmpty() ? null : current;
      }
      taken[0] = true;
      return current.plus(now, attemptId, windowMillis);
    });
    return taken[0];
  }

  @Override
  public void release(String key, long attemptId) {
    Objects.requireNonNull(key, "key");
    budgets.asMap().computeIfPresent(key, (k, slots) -> slots.without(attemptId));
  }

  @Override
  public void rememberAddress(String key, Duration keepFor) {
    Objects.requireNonNull(key, "key");
    long until = clock.millis() + AttemptWindows.millis(keepFor);
    known.put(key, until);
  }

  @Override
  public boolean isKnownAddress(String key) {
    Long until = known.getIfPresent(Objects.requireNonNull(key, "key"));
    return until != null && clock.millis() < until;
  }

  /** Slots taken in one budget, oldest first; never modified, so a reader never sees a half-made change. */
  private static final class Slots {
    static final Slots NONE = new Slots(new long[0], new long[0], 0);

    private final long[] times;
    private final long[] ids;
    /** When the newest slot leaves the window, so the whole budget can go. */
    private final long expiresAtMillis;

    private Slots(long[] times, long[] ids, long expiresAtMillis) {
      this.times = times;
      this.ids = ids;
      this.expiresAtMillis = expiresAtMillis;
    }

    int size() {
      return times.length;
    }

    boolean isEmpty() {
      return times.length == 0;
    }

    long expiresAtMillis() {
      return expiresAtMillis;
    }

    /** The slots taken after {@code cutOff} (a slot taken exactly at it has left the window). */
    Slots takenAfter(long cutOff) {
      int first = 0;
      while (first < times.length && times[first] <= cutOff) {
        first++;
      }
      return first == 0
          ? this
          : new Slots(
              Arrays.copyOfRange(times, first, times.length),
              Arrays.copyOfRange(ids, first, ids.length),
              expiresAtMillis);
    }

    Slots plus(long now, long id, long windowMillis) {
      long[] t = Arrays.copyOf(times, times.length + 1);
      long[] i = Arrays.copyOf(ids, ids.length + 1);
      t[times.length] = now;
      i[ids.length] = id;
      // A clock that stepped back must not shorten how long the budget is kept.
      return new Slots(t, i, Math.max(expiresAtMillis, now + windowMillis));
    }

    /** Without the slot {@code id} took, or null when nothing is left. */
    Slots without(long id) {
      int at = -1;
      for (int k = 0; k < ids.length && at < 0; k++) {
        if (ids[k] == id) {
          at = k;
        }
      }
      if (at < 0) {
        return this;
      }
      if (ids.length == 1) {
        return null;
      }
      long[] t = new long[times.length - 1];
      long[] i = new long[ids.length - 1];
      System.arraycopy(times, 0, t, 0, at);
      System.arraycopy(times, at + 1, t, at, times.length - at - 1);
      System.arraycopy(ids, 0, i, 0, at);
      System.arraycopy(ids, at + 1, i, at, ids.length - at - 1);
      return new Slots(t, i, expiresAtMillis);
    }
  }

  /** Caffeine expiry at an epoch-millisecond deadline that each value carries. */
  private static final class UntilMillis<K, V> implements Expiry<K, V> {
    private final InstantSource clock;
    private final java.util.function.ToLongFunction<V> deadline;

    UntilMillis(InstantSource clock, java.util.function.ToLongFunction<V> deadline) {
      this.clock = clock;
      this.deadline = deadline;
    }

    private long nanosLeft(V value) {
      long left = deadline.applyAsLong(value) - clock.millis();
      return left <= 0 ? 0 : Math.min(left, AttemptWindows.LONGEST_MILLIS) * 1_000_000L;
    }

    @Override
    public long expireAfterCreate(K key, V value, long currentTime) {
      return nanosLeft(value);
    }

    @Override
    public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
      return nanosLeft(value);
    }

    @Override
    public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
