package dev.portcullis.spring;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.internal.StoreObservations;
import dev.portcullis.session.SessionStore;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The session and revocation stores as the starter's session registry and login use them: their errors counted when
 * the application has a Micrometer {@code MeterRegistry} (a {@link StoreWrapper} bean), and each call observed as
 * {@code portcullis.store} when it has one {@link ObservationRegistry}. The beans themselves stay as declared. A
 * store the application has already wrapped the same way is not wrapped again, and both stores are wrapped alike, so
 * that a store's one-call session and revocation lookup stays one call.
 */
final class ObservedStores {
  private ObservedStores() {}

  static SessionStore sessions(
      SessionStore store,
      ObjectProvider<StoreWrapper> metrics,
      ObjectProvider<ObservationRegistry> observations) {
    if (StoreObservations.isObserved(store)) {
      return store;
    }
    String kind = StoreObservations.kind(store, "SessionStore");
    StoreWrapper wrapper = metrics.getIfUnique();
    SessionStore counted = wrapper == null ? store : wrapper.wrap(store);
    ObservationRegistry registry = observations.getIfUnique();
    return registry == null || registry.isNoop()
        ? counted
        : StoreObservations.sessionStore(counted, kind, registry);
  }

  static RevocationStore revocations(
      RevocationStore store,
      ObjectProvider<StoreWrapper> metrics,
      ObjectProvider<ObservationRegistry> observations) {
    if (StoreObservations.isObserved(store)) {
      return store;
    }
    String kind = StoreObservations.kind(store, "RevocationStore");
    StoreWrapper wrapper = metrics.getIfUnique();
    RevocationStore counted = wrapper == null ? store : wrapper.wrap(store);
    ObservationRegistry registry = observations.getIfUnique();
    return registry == null || registry.isNoop()
        ? counted
        : StoreObservations.revocations(counted, kind, registry);
  }
}
