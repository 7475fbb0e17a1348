package dev.portcullis.spring;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.internal.StoreObservations;
import dev.portcullis.session.SessionStore;
import io.micrometer.observation.ObservationRegistry;
import java.util.function.BiFunction;
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
    return wrapped(
        store,
        "SessionStore",
        metrics,
        observations,
        StoreWrapper::wrap,
        StoreObservations::sessionStore);
  }

  static RevocationStore revocations(
      RevocationStore store,
      ObjectProvider<StoreWrapper> metrics,
      ObjectProvider<ObservationRegistry> observations) {
    return wrapped(
        store,
        "RevocationStore",
        metrics,
        observations,
        StoreWrapper::wrap,
        StoreObservations::revocations);
  }

  /** Puts {@code observe} around a store of any SPI: {@code observe(store, kind, registry)}. */
  @FunctionalInterface
  private interface Observe<S> {
    S around(S store, String kind, ObservationRegistry registry);
  }

  /**
   * {@code store} counted by the application's {@link StoreWrapper} and then observed, its kind read from the store
   * itself (by the name of its SPI, {@code spi}) before the wrapper hides it; {@code store} itself if already observed.
   */
  private static <S> S wrapped(
      S store,
      String spi,
      ObjectProvider<StoreWrapper> metrics,
      ObjectProvider<ObservationRegistry> observations,
      BiFunction<StoreWrapper, S, S> count,
      Observe<S> observe) {
    if (StoreObservations.isObserved(store)) {
      return store;
    }
    String kind = StoreObservations.kind(store, spi);
    StoreWrapper wrapper = metrics.getIfUnique();
    S counted = wrapper == null ? store : count.apply(wrapper, store);
    ObservationRegistry registry = observations.getIfUnique();
    return registry == null || registry.isNoop()
        ? counted
        : observe.around(counted, kind, registry);
  }
}
