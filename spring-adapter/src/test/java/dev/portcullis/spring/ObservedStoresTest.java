package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditMetrics;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.internal.StoreObservations;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** The stores the starter's beans use: observed and counted once, whoever wrapped them first. */
class ObservedStoresTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<String> observed = new CopyOnWriteArrayList<>();
  private final ObservationRegistry observations = ObservationRegistry.create();

  ObservedStoresTest() {
    observations.observationConfig().observationHandler(new ObservationHandler<>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(Observation.Context context) {
        observed.add(context.getName() + " "
            + context.getLowCardinalityKeyValue("store").getValue() + " "
            + context.getLowCardinalityKeyValue("operation").getValue());
      }
    });
  }

  private static <T> ObjectProvider<T> provider(Class<T> type, T bean) {
    StaticListableBeanFactory beans = bean == null
        ? new StaticListableBeanFactory()
        : new StaticListableBeanFactory(Map.of("bean", bean));
    return beans.getBeanProvider(type);
  }

  private StoreWrapper counting() {
    return new PortcullisActuatorAutoConfiguration.Metrics().portcullisStoreMetricsWrapper(meters);
  }

  @Test
  void aPlainStore_isCountedThenObserved_underItsOwnKind() {
    RevocationStore store = ObservedStores.revocations(
        RevocationStore.inMemory(clock),
        provider(StoreWrapper.class, counting()),
        provider(ObservationRegistry.class, observations));
    store.isRevoked("t", "u", Instant.EPOCH);

    assertThat(observed).containsExactly("portcullis.store caffeine is_revoked");
    assertThat(StoreObservations.isObserved(store)).isTrue();
  }

  @Test
  void aStoreTheApplicationAlreadyObserved_isObservedOnce() {
    SessionStore own = StoreObservations.sessionStore(
        CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build(), observations);
    SessionStore used = ObservedStores.sessions(
        own,
        provider(StoreWrapper.class, counting()),
        provider(ObservationRegistry.class, observations));
    used.findByUser("u-alice");

    assertThat(used).isSameAs(own);
    assertThat(observed).containsExactly("portcullis.store caffeine find_by_user");
  }

  @Test
  void aStoreTheApplicationAlreadyCounted_isCountedOnce() {
    RevocationStore counted = AuditMetrics.counting(RevocationStore.inMemory(clock), meters);
    assertThat(counting().wrap(counted)).isSameAs(counted);
  }

  @Test
  void withoutRegistries_theStoreIsUsedAsDeclared() {
    RevocationStore plain = RevocationStore.inMemory(clock);
    assertThat(ObservedStores.revocations(
            plain, provider(StoreWrapper.class, null), provider(ObservationRegistry.class, null)))
        .isSameAs(plain);
    assertThat(ObservedStores.revocations(
            plain,
            provider(StoreWrapper.class, null),
            provider(ObservationRegistry.class, ObservationRegistry.NOOP)))
        .isSameAs(plain);
  }
}
