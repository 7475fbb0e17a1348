package dev.portcullis.login;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.internal.Tickers;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;

/**
 * Counts failed logins per account and per client address over a sliding window and refuses further attempts once a
 * limit is reached, even with the right password (ASVS 2.2.1). Defaults: 100 failures per account and 1,000 per
 * address per hour. Memory is bounded: at most {@code maxTracked} accounts and addresses are remembered.
 */
public final class LoginThrottle {
  private final int maxPerAccount;
  private final int maxPerAddress;
  private final Duration window;
  private final InstantSource clock;
  private final Cache<String, Failures> accounts;
  private final Cache<String, Failures> addresses;

  private LoginThrottle(Builder b) {
    this.maxPerAccount = b.maxPerAccount;
    this.maxPerAddress = b.maxPerAddress;
    this.window = b.window;
    this.clock = b.clock;
    Ticker ticker = Tickers.of(b.clock);
    this.accounts = Caffeine.newBuilder().ticker(ticker).expireAfterAccess(window).maximumSize(b.maxTracked).build();
    this.addresses = Caffeine.newBuilder().ticker(ticker).expireAfterAccess(window).maximumSize(b.maxTracked).build();
  }

  public static Builder builder(InstantSource clock) {
    return new Builder(clock);
  }

  /** Whether a login for {@code username} from {@code address} must be refused without checking the password. */
  public boolean isBlocked(String username, String address) {
    Instant now = clock.instant();
    Failures a = accounts.getIfPresent(accountKey(username));
    Failures b = address == null ? null : addresses.getIfPresent(address);
    return (a != null && a.count(now, window) >= maxPerAccount)
        || (b != null && b.count(now, window) >= maxPerAddress);
  }

  public void recordFailure(String username, String address) {
    Instant now = clock.instant();
    accounts.get(accountKey(username), k -> new Failures()).add(now, window, maxPerAccount);
    if (address != null) {
      addresses.get(address, k -> new Failures()).add(now, window, maxPerAddress);
    }
  }

  /** A successful login clears the account's failures (not the address's). */
  public void recordSuccess(String username) {
    accounts.invalidate(accountKey(username));
  }

  private static String accountKey(String username) {
    return username == null ? "" : username.toLowerCase(Locale.ROOT);
  }

  /** Failure times inside the window, at most {@code limit} of them. */
  private static final class Failures {
    private final ArrayDeque<Instant> times = new ArrayDeque<>();

    synchronized void add(Instant now, Duration window, int limit) {
      trim(now, window);
      times.addLast(now);
      while (times.size() > limit) {
        times.removeFirst();
      }
    }

    synchronized int count(Instant now, Duration window) {
      trim(now, window);
      return times.size();
    }

    private void trim(Instant now, Duration window) {
      Instant oldest = now.minus(window);
      while (!times.isEmpty() && !times.peekFirst().isAfter(oldest)) {
        times.removeFirst();
      }
    }
  }

  public static final class Builder {
    private final InstantSource clock;
    private int maxPerAccount = 100;
    private int maxPerAddress = 1_000;
    private Duration window = Duration.ofHours(1);
    private long maxTracked = 100_000;

    private Builder(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Builder maxFailuresPerAccount(int n) {
      this.maxPerAccount = n;
      return this;
    }

    public Builder maxFailuresPerAddress(int n) {
      this.maxPerAddress = n;
      return this;
    }

    public Builder window(Duration window) {
      this.window = Objects.requireNonNull(window, "window");
      return this;
    }

    public Builder maxTracked(long n) {
      this.maxTracked = n;
      return this;
    }

    public LoginThrottle build() {
      if (maxPerAccount < 1 || maxPerAccount > 100) {
        throw new IllegalStateException("failures per account must be 1..100 (ASVS 2.2.1), got " + maxPerAccount);
      }
      if (maxPerAddress < 1) {
        throw new IllegalStateException("failures per address must be positive");
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalStateException("the throttle window must be positive");
      }
      if (maxTracked < 1) {
        throw new IllegalStateException("maxTracked must be positive");
      }
      return new LoginThrottle(this);
    }
  }
}
