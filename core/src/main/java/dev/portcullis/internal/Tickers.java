package dev.portcullis.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.InstantSource;

/**
 * Caffeine's clock from an injected {@link InstantSource}, so cache expiry follows the same time as everything else
 * (and a test's fake clock). Millisecond resolution, read without allocating: an entry may outlive its deadline by
 * less than a millisecond, never expire early.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
public final class Tickers {
  private Tickers() {}

  public static Ticker of(InstantSource clock) {
    return () -> clock.millis() * 1_000_000L;
  }
}
