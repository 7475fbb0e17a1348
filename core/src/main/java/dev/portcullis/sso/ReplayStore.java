package dev.portcullis.sso;

import java.time.Instant;
import java.time.InstantSource;

/**
 * Remembers single-use token ids so that each is redeemed at most once, across every node that shares the store.
 *
 * <p><b>Security.</b> {@link #markUsed} is atomic: of any number of concurrent calls with one id, exactly one returns
 * true. A store that cannot answer throws {@link dev.portcullis.revocation.StoreUnavailableException}; the redemption
 * then fails. A mark given back ({@link #giveBack}) lets the id be redeemed again: callers give back only marks whose
 * redemption granted nothing.
 */
public interface ReplayStore {

  /** True the first time {@code tokenId} is seen; false ever after, until {@code keepUntil}. */
  boolean markUsed(String tokenId, Instant keepUntil);

  /**
   * Gives back the mark that this caller's {@link #markUsed} made for {@code tokenId}, when the use it was spent on
   * granted nothing (the login it started could not be stored): the id can then be redeemed once more. Only the caller
   * whose {@code markUsed} returned true may give the mark back, and only before anything was granted for it; so, of
   * any number of concurrent redemptions of one id, still at most one is granted.
   *
   * <p>The default keeps the mark (false), as a store that cannot forget one: the id stays spent.
   *
   * @return true if the id is no longer marked; false if the mark stays
   * @throws dev.portcullis.revocation.StoreUnavailableException when the store does not answer; the mark may stay
   */
  default boolean giveBack(String tokenId) {
    return false;
  }

  /**
   * Whether several nodes can share this store, so that a mark made on one node is seen on the others (Redis,
   * PostgreSQL). The default is false, a store in one node's memory such as {@link #inMemory}; a store that nodes share
   * overrides it, and a store that wraps another answers as the wrapped one does.
   *
   * <p><b>Security.</b> Builders that are given a session store shared between nodes refuse a replay store that
   * answers false: behind a load balancer, a single-use token or legacy cookie would be redeemed once on each node.
   */
  default boolean sharedBetweenNodes() {
    return false;
  }

  /** The embedded default: Caffeine, one node. */
  static ReplayStore inMemory(InstantSource clock) {
    return new CaffeineReplayStore(clock, 1_000_000);
  }
}
