package dev.portcullis.login;

import java.time.Duration;
import java.time.InstantSource;

/**
 * Where the login limit keeps its state: the login attempts counted against each budget within a sliding window,
 * and the client addresses that have logged in to an account before. {@link LoginThrottle} is its only caller; one
 * store shared by every node gives one limit for all of them.
 *
 * <p>Keys are opaque: the throttle passes keyed hashes (HMAC-SHA256), never a username or a client address, so a
 * store's contents say how many budgets and known addresses exist, not whose they are.
 *
 * <p>A store implementation's test extends {@code LoginAttemptStoreContract} from core's test-jar.
 *
 * <p><b>Security.</b> {@link #reserve} is atomic: of any number of concurrent reservations for one key, on any number
 * of nodes sharing the store, at most {@code limit} hold a slot within any window; a refused reservation takes no
 * slot. This is what makes the limit hold while password checks are running. A store that cannot answer throws
 * {@link dev.portcullis.revocation.StoreUnavailableException} within a bounded time; the login is then refused
 * without a password check (fail closed). Never answer "reserved" or "known" on failure.
 */
public interface LoginAttemptStore {

  /**
   * Takes a slot for attempt {@code attemptId} in the budget {@code key} if fewer than {@code limit} slots were taken
   * in it within the last {@code window}; a slot counts from the moment it is taken until {@code window} later.
   *
   * @param attemptId names the slot for {@link #release}; random, so that attempts from different nodes never share
   *     an id
   * @return whether the slot was taken; false leaves the budget as it was
   */
  boolean reserve(String key, long attemptId, int limit, Duration window);

  /** Gives back the slot {@code attemptId} took in {@code key}, if it still holds one; otherwise does nothing. */
  void release(String key, long attemptId);

  /** Records the known address {@code key} until {@code keepFor} from now; a later call replaces that time. */
  void rememberAddress(String key, Duration keepFor);

  /** Whether {@code key} was {@linkplain #rememberAddress remembered} and its time has not run out. */
  boolean isKnownAddress(String key);

  /**
   * Whether several nodes can share this store, so that they count against one limit (Redis, PostgreSQL). The default
   * is false, a store in one node's memory such as {@link #inMemory}; a store that nodes share overrides it, and a
   * store that wraps another answers as the wrapped one does.
   *
   * <p><b>Security.</b> Builders that are given a session store shared between nodes refuse a login limit whose store
   * answers false (see {@link PortalLogin#loginLimitSharedBetweenNodes()}): with N nodes, a guesser behind a load
   * balancer would get N budgets.
   */
  default boolean sharedBetweenNodes() {
    return false;
  }

  /** The embedded default, for one node: in memory, at most 100,000 budgets and 100,000 known addresses. */
  static LoginAttemptStore inMemory(InstantSource clock) {
    return inMemory(clock, 100_000);
  }

  /**
   * In memory, for one node, holding at most {@code maxEntries} budgets and as many known addresses; beyond that the
   * least used are forgotten first. A budget holds one slot per password check in its window, so memory follows the
   * rate of password checks, which the limits and the cost of the password hash keep small.
   */
  static LoginAttemptStore inMemory(InstantSource clock, long maxEntries) {
    return new InMemoryLoginAttemptStore(clock, maxEntries);
  }
}
