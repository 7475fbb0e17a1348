package dev.portcullis.session;

import dev.portcullis.revocation.RevocationStore;
import java.util.Optional;
import java.util.Set;

/**
 * Where sessions live between requests. Keyed by {@link SessionKey} (SHA-256 of the id), never by the raw id.
 * {@link CaffeineSessionStore} is the single-node default; a store for many nodes implements the same contract (see
 * the contract test in the core test-jar, {@code SessionStoreContractTest}).
 *
 * <p>Every store enforces the idle and absolute timeouts of its {@link SessionConfig} itself, at read time: an
 * expired session is never returned, whether or not it has been cleaned up yet.
 *
 * <p><b>Security.</b> A store that cannot answer throws; callers treat that as "no session" (fail closed). A store
 * must make {@link #rotate} atomic with respect to the old key: once it returns, the old key loads nothing.
 */
public interface SessionStore {

  /**
   * The live session under {@code key}, marked as accessed now (which restarts its idle timeout); empty when the key
   * is unknown, deleted or expired.
   */
  Optional<SessionRecord> load(SessionKey key);

  /**
   * The live session under {@code key} without marking it as accessed: its last access stays as stored and its idle
   * timeout is not restarted. For listing a user's sessions, which must neither keep them alive nor change when they
   * were last seen. The default calls {@link #load}; a store that can read without touching overrides it.
   */
  default Optional<SessionRecord> peek(SessionKey key) {
    return load(key);
  }

  /**
   * Applies one request's changes atomically onto the stored session ({@link SessionRecord#apply}), or creates the
   * session when {@link SessionChanges#creates()}.
   *
   * @return false when there is nothing to update (unknown, deleted or expired) or, for a creation, the key is taken
   */
  boolean save(SessionKey key, SessionChanges changes);

  /** Removes the session. Returns whether a live session was removed. */
  boolean delete(SessionKey key);

  /**
   * Moves the live session from {@code from} to {@code to} in one step: after it returns true, {@code from} loads
   * nothing and {@code to} loads the session.
   *
   * @return false when {@code from} holds no live session or {@code to} is taken; nothing changes then
   */
  boolean rotate(SessionKey from, SessionKey to);

  /** The keys of the live sessions logged in as {@code userHandle}. */
  Set<SessionKey> findByUser(String userHandle);

  /**
   * Removes every session logged in as {@code userHandle} ("log out everywhere"). A session that logs in as this
   * user while the call runs may survive it; one that existed before the call does not.
   *
   * @return how many sessions were removed
   */
  int deleteByUser(String userHandle);

  /**
   * A lookup that loads a session and checks a ticket's revocation in one round trip, when this store and
   * {@code revocations} are the same backend and the store can answer both at once; empty otherwise, and callers make
   * the two calls ({@link SessionAndRevocationLookup#of} does the choosing). The default is empty.
   */
  default Optional<SessionAndRevocationLookup> withRevocations(RevocationStore revocations) {
    return Optional.empty();
  }

  /**
   * Whether several nodes can share this store, so that a session started on one node is found on the others (Redis,
   * PostgreSQL). The default is false, a store in one node's memory such as {@link CaffeineSessionStore}; a store
   * that nodes share overrides it, and a store that wraps another answers as the wrapped one does.
   *
   * <p><b>Security.</b> Builders read it to refuse a configuration that shares sessions between nodes while the login
   * limit stays in each node's memory, one budget per node for a password guesser behind a load balancer. A shared
   * store that answers false loses that check; nothing else depends on the answer.
   */
  default boolean sharedBetweenNodes() {
    return false;
  }
}
