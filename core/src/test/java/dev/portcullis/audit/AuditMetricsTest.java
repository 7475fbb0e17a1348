package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.PendingLogouts;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.RecordingSearchDemandSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AuditMetricsTest {

  @Test
  void countingSinks_countByTypeOutcomeAndEndpoint_andPassEventsOn() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RecordingAuditSink audit = new RecordingAuditSink();
    RecordingSearchDemandSink demand = new RecordingSearchDemandSink();
    AuditLog log = Fixtures.log()
        .auditSink(AuditMetrics.counting(audit, registry))
        .demandSink(AuditMetrics.counting(demand, registry))
        .build();
    AuditMetrics.bind(log, registry);
    log.emit(log.event(AuditEventType.of("access_granted")).build());
    log.emit(log.event(AuditEventType.of("access_granted")).build());
    log.emit(
        log.event(AuditEventType.AUTHN_LOGIN_FAIL).failure("unknown account").build());
    log.searched("/search", "jane@example.org", 0);
    log.close();

    assertThat(registry
            .get(AuditMetrics.AUDIT_EVENTS)
            .tags("type", "access_granted", "outcome", "success")
            .counter()
            .count())
        .isEqualTo(2);
    assertThat(registry
            .get(AuditMetrics.AUDIT_EVENTS)
            .tags("type", "authn_login_fail", "outcome", "failure")
            .counter()
            .count())
        .isEqualTo(1);
    assertThat(registry.find(AuditMetrics.AUDIT_EVENTS).tags("type", "logout").counter())
        .isNull();
    assertThat(registry
            .get(AuditMetrics.SEARCH_DEMAND_EVENTS)
            .tags("endpoint", "/search")
            .counter()
            .count())
        .isEqualTo(1);
    assertThat(registry.get("portcullis.audit.delivered").functionCounter().count())
        .isEqualTo(4);
    assertThat(registry.get("portcullis.audit.sink.failures").functionCounter().count())
        .isZero();
    assertThat(audit.events()).hasSize(3);
    assertThat(demand.events()).hasSize(1);
    assertThat(registry.getMeters())
        .allSatisfy(m -> assertThat(m.getId().getTags().toString())
            .doesNotContain("jane")
            .doesNotContain("example.org"));
  }

  @Test
  void failingSink_showsInTheHealthGauges_andAnEventTakenOnRetryCountsOnce() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    java.util.concurrent.atomic.AtomicBoolean down =
        new java.util.concurrent.atomic.AtomicBoolean();
    RecordingAuditSink taken = new RecordingAuditSink();
    AuditSink switched = event -> {
      if (down.get()) {
        throw new IOException("down");
      }
      taken.accept(event);
    };
    try (AuditLog log = Fixtures.log()
        .retryInterval(java.time.Duration.ofMinutes(10))
        .auditSink(AuditMetrics.counting(switched, registry))
        .build()) {
      AuditMetrics.bind(log, registry);
      assertThat(registry.get(AuditMetrics.FAILING_SINKS).gauge().value()).isZero();
      down.set(true);
      Fixtures.capturingStderr(() -> {
        log.emit(log.event(AuditEventType.LOGOUT).build());
        log.emit(log.event(AuditEventType.LOGOUT).build());
        try {
          assertThat(log.flush(java.time.Duration.ofSeconds(10))).isFalse();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      });
      assertThat(registry.get(AuditMetrics.FAILING_SINKS).gauge().value()).isEqualTo(1);
      assertThat(registry.get(AuditMetrics.KEPT_EVENTS).gauge().value()).isEqualTo(2);
      assertThat(registry.find(AuditMetrics.AUDIT_EVENTS).counter())
          .as("nothing taken, nothing counted")
          .isNull();
      down.set(false);
      Fixtures.capturingStderr(() -> {
        try {
          assertThat(log.flush(java.time.Duration.ofSeconds(10))).isTrue();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      });
      assertThat(registry.get(AuditMetrics.FAILING_SINKS).gauge().value()).isZero();
      assertThat(registry.get(AuditMetrics.KEPT_EVENTS).gauge().value()).isZero();
      assertThat(registry
              .get(AuditMetrics.AUDIT_EVENTS)
              .tags("type", "logout")
              .counter()
              .count())
          .isEqualTo(2);
      assertThat(taken.events()).hasSize(2);
    }
  }

  @Test
  void auditWorksWithoutMicrometerOnTheClassPath() throws Exception {
    URL core = AuditLog.class.getProtectionDomain().getCodeSource().getLocation();
    URL slf4j =
        org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation();
    // Caffeine, like SLF4J, is a dependency of core itself (the share of anonymous events is
    // counted in it).
    URL caffeine = com.github.benmanes.caffeine.cache.Caffeine.class
        .getProtectionDomain()
        .getCodeSource()
        .getLocation();
    try (URLClassLoader isolated = new URLClassLoader(
        new URL[] {core, slf4j, caffeine}, ClassLoader.getPlatformClassLoader())) {
      assertThat(Arrays.stream(isolated.getURLs()).map(URL::toString))
          .noneMatch(u -> u.contains("micrometer"));
      Class<?> probe = Class.forName(
          NoMicrometerProbe.class.getName(),
          true,
          new ChildFirst(
              new URL[] {
                NoMicrometerProbe.class.getProtectionDomain().getCodeSource().getLocation()
              },
              isolated));
      Object result = probe.getMethod("run").invoke(null);
      assertThat(result).isEqualTo(1L);
      // The negative case: the metrics class itself does need Micrometer.
      Class<?> metrics = Class.forName(AuditMetrics.class.getName(), false, isolated);
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> metrics.getMethods()))
          .isInstanceOf(NoClassDefFoundError.class);
    }
  }

  /** Loads only the probe class itself from the test classes; everything else from the parent. */
  private static final class ChildFirst extends URLClassLoader {
    ChildFirst(URL[] urls, ClassLoader parent) {
      super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.equals(NoMicrometerProbe.class.getName())) {
        synchronized (getClassLoadingLock(name)) {
          Class<?> c = findLoadedClass(name);
          return c != null ? c : findClass(name);
        }
      }
      return super.loadClass(name, resolve);
    }
  }

  /** Runs inside a class loader without Micrometer. */
  public static final class NoMicrometerProbe {
    public static long run() throws IOException {
      AuditLog log = AuditLog.builder()
          .clock(java.time.InstantSource.fixed(java.time.Instant.parse("2026-01-01T00:00:00Z")))
          .random(new java.security.SecureRandom())
          .auditSink(AuditSink.noop())
          .demandSink(SearchDemandSink.noop())
          .build();
      log.emit(log.event(AuditEventType.LOGOUT).build());
      log.close();
      return log.stats().delivered();
    }
  }

  @Test
  void aCountedSessionStore_isSharedBetweenNodesExactlyWhenItsStoreIs() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    dev.portcullis.session.SessionStore inMemory =
        dev.portcullis.session.CaffeineSessionStore.builder(
                dev.portcullis.session.SessionConfig.defaults(),
                dev.portcullis.testing.MutableClock.startingAt2026())
            .build();

    assertThat(AuditMetrics.counting(inMemory, registry).sharedBetweenNodes()).isFalse();
    assertThat(AuditMetrics.counting(
                dev.portcullis.testing.FakeSharedStores.sessions(inMemory), registry)
            .sharedBetweenNodes())
        .isTrue();
  }

  @Test
  void storeErrors_areCountedByStoreOperationAndKind_andRethrown() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    dev.portcullis.testing.MutableClock clock =
        dev.portcullis.testing.MutableClock.startingAt2026();
    dev.portcullis.revocation.RevocationStore healthy =
        AuditMetrics.counting(dev.portcullis.revocation.RevocationStore.inMemory(clock), registry);
    healthy.revoke("ticket-1", java.time.Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(healthy.isRevoked("ticket-1", "u-1", clock.instant())).isTrue();
    assertThat(registry.find(AuditMetrics.STORE_ERRORS).counters()).isEmpty();

    RuntimeException timeout = new IllegalStateException(
        "redis", new java.util.concurrent.TimeoutException("no answer in 2s"));
    RuntimeException down = new IllegalStateException("connection refused");
    java.util.List<RuntimeException> failures =
        new java.util.ArrayList<>(java.util.List.of(timeout, down, down));
    dev.portcullis.revocation.RevocationStore failing =
        new dev.portcullis.revocation.RevocationStore() {
          @Override
          public void revoke(String ticketId, java.time.Instant expiresAt) {
            throw failures.remove(0);
          }

          @Override
          public void revokeAllIssuedBefore(
              String userHandle, java.time.Instant cutOff, java.time.Instant keepUntil) {
            throw failures.remove(0);
          }

          @Override
          public boolean isRevoked(String ticketId, String userHandle, java.time.Instant issuedAt) {
            throw failures.remove(0);
          }
        };
    dev.portcullis.revocation.RevocationStore counted = AuditMetrics.counting(failing, registry);
    java.time.Instant t = clock.instant();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> counted.isRevoked("t", "u", t))
        .isSameAs(timeout);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> counted.isRevoked("t", "u", t))
        .isSameAs(down);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> counted.revoke("t", t))
        .isSameAs(down);

    assertThat(registry
            .get(AuditMetrics.STORE_ERRORS)
            .tags("store", "custom", "operation", "is_revoked", "kind", "timeout")
            .counter()
            .count())
        .isEqualTo(1.0);
    assertThat(registry
            .get(AuditMetrics.STORE_ERRORS)
            .tags("store", "custom", "operation", "is_revoked", "kind", "error")
            .counter()
            .count())
        .isEqualTo(1.0);
    assertThat(registry
            .get(AuditMetrics.STORE_ERRORS)
            .tags("store", "custom", "operation", "revoke", "kind", "error")
            .counter()
            .count())
        .isEqualTo(1.0);
  }

  @Test
  void countedStores_keepAStoresOneCallLookup_andCountItsFailures_andAreCountedOnce() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    dev.portcullis.testing.MutableClock clock =
        dev.portcullis.testing.MutableClock.startingAt2026();
    dev.portcullis.revocation.RevocationStore own =
        dev.portcullis.revocation.RevocationStore.inMemory(clock);
    dev.portcullis.session.SessionStore caffeine =
        dev.portcullis.session.CaffeineSessionStore.builder(
                dev.portcullis.session.SessionConfig.defaults(), clock)
            .build();
    IllegalStateException down = new IllegalStateException("connection refused");
    // A store that answers both at once, but only together with its own revocation store.
    dev.portcullis.session.SessionStore combined = new dev.portcullis.session.SessionStore() {
      @Override
      public java.util.Optional<dev.portcullis.session.SessionRecord> load(
          dev.portcullis.session.SessionKey key) {
        return caffeine.load(key);
      }

      @Override
      public boolean save(
          dev.portcullis.session.SessionKey key, dev.portcullis.session.SessionChanges changes) {
        return caffeine.save(key, changes);
      }

      @Override
      public boolean delete(dev.portcullis.session.SessionKey key) {
        return caffeine.delete(key);
      }

      @Override
      public boolean rotate(
          dev.portcullis.session.SessionKey from, dev.portcullis.session.SessionKey to) {
        return caffeine.rotate(from, to);
      }

      @Override
      public java.util.Set<dev.portcullis.session.SessionKey> findByUser(String userHandle) {
        return caffeine.findByUser(userHandle);
      }

      @Override
      public int deleteByUser(String userHandle) {
        return caffeine.deleteByUser(userHandle);
      }

      @Override
      public java.util.Optional<dev.portcullis.session.SessionAndRevocationLookup> withRevocations(
          dev.portcullis.revocation.RevocationStore revocations) {
        return revocations == own
            ? java.util.Optional.of((key, ticketId, userHandle, issuedAt) -> {
              throw down;
            })
            : java.util.Optional.empty();
      }
    };
    dev.portcullis.session.SessionStore sessions = AuditMetrics.counting(combined, registry);
    dev.portcullis.revocation.RevocationStore revocations = AuditMetrics.counting(own, registry);

    java.util.Optional<dev.portcullis.session.SessionAndRevocationLookup> lookup =
        sessions.withRevocations(revocations);
    assertThat(lookup).as("one call, as without counting").isPresent();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> lookup
            .orElseThrow()
            .load(
                dev.portcullis.session.SessionKey.fromBytes(new byte[32]),
                "t",
                "u",
                java.time.Instant.EPOCH))
        .isSameAs(down);
    assertThat(registry
            .get(AuditMetrics.STORE_ERRORS)
            .tags("operation", "load_with_revocation", "kind", "error")
            .counter()
            .count())
        .isEqualTo(1.0);
    assertThat(sessions.withRevocations(dev.portcullis.revocation.RevocationStore.inMemory(clock)))
        .as("another revocation store gets the two calls")
        .isEmpty();
    assertThat(AuditMetrics.isCounting(sessions)).isTrue();
    assertThat(AuditMetrics.isCounting(revocations)).isTrue();
    assertThat(AuditMetrics.isCounting(combined)).isFalse();
    assertThat(AuditMetrics.isCounting(own)).isFalse();
  }

  /**
   * Regression: the pending-logout meters held the supplier only weakly, as Micrometer's meters do, so once nothing
   * else held it (an adapter's binder passes a lambda) the gauge read NaN after a collection.
   */
  @Test
  void pendingLogouts_areRead_atEachScrape_andOutliveTheirSuppliersOtherReferences() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicReference<PendingLogouts.Stats> now =
        new AtomicReference<>(new PendingLogouts.Stats(0, 0, 10, Duration.ZERO));
    AuditMetrics.bindPendingLogouts(() -> now.get(), registry);
    assertThat(registry.get(AuditMetrics.PENDING_LOGOUTS).gauge().value()).isZero();

    now.set(new PendingLogouts.Stats(3, 2, 10, Duration.ofSeconds(42)));
    System.gc();
    assertThat(registry.get(AuditMetrics.PENDING_LOGOUTS).gauge().value()).isEqualTo(3.0);
    assertThat(
            registry.get(AuditMetrics.PENDING_LOGOUTS_DROPPED).functionCounter().count())
        .isEqualTo(2.0);
    assertThat(
            registry.get(AuditMetrics.PENDING_LOGOUTS_OLDEST).timeGauge().value(TimeUnit.SECONDS))
        .isEqualTo(42.0);
  }
}
