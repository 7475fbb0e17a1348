package dev.portcullis.servlet.internal;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionChanges;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionStore;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decorators of the store SPIs that put a {@value #STORE} Micrometer {@link Observation} around every call, with the
 * low-cardinality key values {@code store} (the kind of store: {@code caffeine}, {@code redis}, {@code jdbc}, ...,
 * from its class name) and {@code operation} (the SPI method: {@code load}, {@code save}, {@code is_revoked}, ...).
 * A call that throws is recorded as the observation's error and rethrown unchanged. The decorators add nothing else:
 * what the store answers is what the caller gets, and a store's one-call session and revocation lookup stays one
 * call ({@code load_with_revocation}). A store that is already observed is returned as it is: a store is observed once.
 *
 * <p>Used by {@code Portcullis.builder()} and the framework adapters; internal, not supported API.
 */
public final class StoreObservations {
  /** The observation's name. */
  public static final String STORE = "portcullis.store";

  private StoreObservations() {}

  /** {@code store}, each call observed, its kind from its class name; {@code store} itself if already observed. */
  public static SessionStore sessionStore(SessionStore store, ObservationRegistry registry) {
    return sessionStore(store, kind(store, "SessionStore"), registry);
  }

  /**
   * {@code store}, each call observed with the key value {@code store} = {@code kind} (for a store that is itself a
   * decorator of the store whose kind it names); {@code store} itself if already observed.
   */
  public static SessionStore sessionStore(
      SessionStore store, String kind, ObservationRegistry registry) {
    Objects.requireNonNull(store, "store");
    return store instanceof ObservedSessionStore
        ? store
        : new ObservedSessionStore(store, new Observer(kind, registry));
  }

  /** As {@link #sessionStore(SessionStore, ObservationRegistry)}, for a revocation store. */
  public static RevocationStore revocations(RevocationStore store, ObservationRegistry registry) {
    return revocations(store, kind(store, "RevocationStore"), registry);
  }

  /** As {@link #sessionStore(SessionStore, String, ObservationRegistry)}, for a revocation store. */
  public static RevocationStore revocations(
      RevocationStore store, String kind, ObservationRegistry registry) {
    Objects.requireNonNull(store, "store");
    return store instanceof ObservedRevocationStore
        ? store
        : new ObservedRevocationStore(store, new Observer(kind, registry));
  }

  /** Whether {@code store} is one of these decorators. */
  public static boolean isObserved(Object store) {
    return store instanceof ObservedSessionStore || store instanceof ObservedRevocationStore;
  }

  /** {@code CaffeineSessionStore} → {@code caffeine}; a name that is only the suffix (or none) → {@code custom}. */
  public static String kind(Object store, String suffix) {
    String name = store.getClass().getSimpleName();
    if (name.endsWith(suffix)) {
      name = name.substring(0, name.length() - suffix.length());
    }
    return name.isEmpty() ? "custom" : name.toLowerCase(Locale.ROOT);
  }

  private record Observer(String kind, ObservationRegistry registry) {
    Observer {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(registry, "registry");
    }

    <T> T observe(String operation, Supplier<T> call) {
      return Observation.createNotStarted(STORE, registry)
          .lowCardinalityKeyValue("store", kind)
          .lowCardinalityKeyValue("operation", operation)
          .observe(call);
    }

    void run(String operation, Runnable call) {
      Observation.createNotStarted(STORE, registry)
          .lowCardinalityKeyValue("store", kind)
          .lowCardinalityKeyValue("operation", operation)
          .observe(call);
    }
  }

  private record ObservedSessionStore(SessionStore store, Observer observer)
      implements SessionStore {
    ObservedSessionStore {
      Objects.requireNonNull(store, "store");
    }

    @Override
    public Optional<SessionRecord> load(SessionKey key) {
      return observer.observe("load", () -> store.load(key));
    }

    @Override
    public Optional<SessionRecord> peek(SessionKey key) {
      return observer.observe("peek", () -> store.peek(key));
    }

    @Override
    public boolean save(SessionKey key, SessionChanges changes) {
      return observer.observe("save", () -> store.save(key, changes));
    }

    @Override
    public boolean delete(SessionKey key) {
      return observer.observe("delete", () -> store.delete(key));
    }

    @Override
    public boolean rotate(SessionKey from, SessionKey to) {
      return observer.observe("rotate", () -> store.rotate(from, to));
    }

    @Override
    public Set<SessionKey> findByUser(String userHandle) {
      return observer.observe("find_by_user", () -> store.findByUser(userHandle));
    }

    @Override
    public int deleteByUser(String userHandle) {
      return observer.observe("delete_by_user", () -> store.deleteByUser(userHandle));
    }

    /**
     * The store's own one-call lookup, observed as {@code load_with_revocation}: the revocation store is unwrapped
     * first, so that a store that answers both at once when both are its own still recognises it.
     */
    @Override
    public Optional<SessionAndRevocationLookup> withRevocations(RevocationStore revocations) {
      RevocationStore inner =
          revocations instanceof ObservedRevocationStore observed ? observed.store() : revocations;
      return store
          .withRevocations(inner)
          .map(lookup -> (key, ticketId, userHandle, issuedAt) -> observer.observe(
              "load_with_revocation", () -> lookup.load(key, ticketId, userHandle, issuedAt)));
    }

    /** The observed store's answer: observing it changes nothing about which nodes share it. Not observed. */
    @Override
    public boolean sharedBetweenNodes() {
      return store.sharedBetweenNodes();
    }

    @Override
    public String toString() {
      return "observed " + store;
    }
  }

  private record ObservedRevocationStore(RevocationStore store, Observer observer)
      implements RevocationStore {
    ObservedRevocationStore {
      Objects.requireNonNull(store, "store");
    }

    @Override
    public void revoke(String ticketId, Instant expiresAt) {
      observer.run("revoke", () -> store.revoke(ticketId, expiresAt));
    }

    @Override
    public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
      observer.run(
          "revoke_all_issued_before",
          () -> store.revokeAllIssuedBefore(userHandle, cutOff, keepUntil));
    }

    @Override
    public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
      return observer.observe("is_revoked", () -> store.isRevoked(ticketId, userHandle, issuedAt));
    }

    @Override
    public String toString() {
      return "observed " + store;
    }
  }
}
