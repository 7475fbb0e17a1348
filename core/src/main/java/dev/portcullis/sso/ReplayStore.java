package dev.portcullis.sso;

import java.time.Instant;
import java.time.InstantSource;

/**
 * Remembers single-use token ids so that each is redeemed at most once, across every node that shares the store.
 *
 * <p><b>Security.</b> {@link #markUsed} is atomic: of any number of concurrent calls with one id, exactly one returns
 * true. A store that cannot answer throws {@link dev.portcullis.revocation.StoreUnavailableException}; the redemption
 * then fails.
 */
public interface ReplayStore {

  /** True the first time {@code tokenId} is seen; false ever after, until {@code keepUntil}. */
  boolean markUsed(String tokenId, Instant keepUntil);

  /** The embedded default: Caffeine, one node. */
  static ReplayStore inMemory(InstantSource clock) {
    return new CaffeineReplayStore(clock, 1_000_000);
  }
}
