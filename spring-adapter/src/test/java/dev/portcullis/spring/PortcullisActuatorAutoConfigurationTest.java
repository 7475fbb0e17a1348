package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditMetrics;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.UnavailableRevocationStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The health indicator (key age, store reachability) and the audit metrics. */
class PortcullisActuatorAutoConfigurationTest {
  @TempDir
  Path dir;

  @Configuration(proxyBeanMethods = false)
  static class Clock {
    @Bean
    InstantSource testClock() {
      // The test keys were made on 2026-01-01.
      return new MutableClock(Instant.parse("2026-02-01T00:00:00Z"));
    }
  }

  private WebApplicationContextRunner runner() throws Exception {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(
            PortcullisAutoConfiguration.class, PortcullisActuatorAutoConfiguration.class))
        .withInitializer(PortcullisAutoConfigurationTest.processEnvironment(Map.of()))
        .withUserConfiguration(TestUsers.class, Clock.class)
        .withPropertyValues(TestUsers.ACCESS)
        .withPropertyValues(
            "portcullis.login.terms-version=" + TestUsers.TERMS,
            "portcullis.keys.file=" + TestKeys.file(dir),
            "portcullis.transport.canonical-host=portal.example");
  }

  private static Health health(org.springframework.context.ApplicationContext context) {
    return context.getBean("portcullisHealthIndicator", HealthIndicator.class).health();
  }

  @Test
  void freshKeysAndWorkingStores_areUp() throws Exception {
    runner().run(context -> {
      Health health = health(context);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails())
          .containsEntry("activeKey", "0a1b2c3d")
          .containsEntry("keys", 1)
          .containsEntry("sessionStore", "reachable")
          .containsEntry("revocationStore", "reachable")
          .doesNotContainKey("keysDueForRotation");
    });
  }

  @Test
  void keysOlderThanTheMaxAge_areReportedAsUnknownWithTheirIds_notDown() throws Exception {
    runner().withPropertyValues("portcullis.keys.max-age=30d").run(context -> {
      ((MutableClock) context.getBean(InstantSource.class)).advance(Duration.ofDays(1));
      Health health = health(context);
      assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
      assertThat(health.getDetails())
          .containsEntry("keysDueForRotation", java.util.List.of("0a1b2c3d"))
          .containsEntry("oldestKeyAgeDays", 32L);
    });
  }

  /**
   * Regression: the start-up warning gave the maximum age as Java's ISO-8601 duration ({@code PT720H}) rather than in
   * days.
   */
  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void keysOlderThanTheMaxAge_areNamedAtStartUp_withTheAgeInDaysOrHours(CapturedOutput output)
      throws Exception {
    runner().withPropertyValues("portcullis.keys.max-age=30d").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(output.getAll())
          .contains("Portcullis keys 0a1b2c3d are older than 30 days: add a new key")
          .doesNotContain("PT720H");
    });
    runner().withPropertyValues("portcullis.keys.max-age=12h").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(output.getAll())
          .contains("Portcullis keys 0a1b2c3d are older than 12 hours: add a new key")
          .doesNotContain("PT12H");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class BrokenRevocations {
    @Bean
    RevocationStore brokenRevocations() {
      return new UnavailableRevocationStore();
    }
  }

  @Test
  void aStoreThatCannotAnswer_isDown() throws Exception {
    runner().withUserConfiguration(BrokenRevocations.class).run(context -> {
      Health health = health(context);
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails())
          .containsEntry("revocationStore", "unreachable (StoreUnavailableException)")
          .containsEntry("sessionStore", "reachable");
    });
  }

  @Test
  void healthIndicator_canBeSwitchedOff() throws Exception {
    runner()
        .withPropertyValues("management.health.portcullis.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("portcullisHealthIndicator"));
  }

  @Test
  void withAMeterRegistry_auditEventsAndTheLogsCountersAreMetrics() throws Exception {
    runner()
        .withConfiguration(AutoConfigurations.of(
            MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
        .run(context -> {
          assertThat(context).hasNotFailed();
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          AuditLog log = context.getBean(AuditLog.class);
          log.emit(log.event(AuditEventType.LOGOUT).build());
          log.emit(log.event(AuditEventType.LOGOUT).build());
          assertThat(log.flush(Duration.ofSeconds(5))).isTrue();
          assertThat(registry
                  .get(AuditMetrics.AUDIT_EVENTS)
                  .tag("type", "logout")
                  .counter()
                  .count())
              .isEqualTo(2.0);
          assertThat(registry.get("portcullis.audit.emitted").functionCounter().count())
              .isEqualTo(2.0);
        });
  }

  @Test
  void withoutMicrometer_thereAreNoMetricBeans_andTheLogStillWorks() throws Exception {
    runner()
        .withClassLoader(new FilteredClassLoader(
            SimpleMeterRegistry.class.getPackageName(), MeterRegistry.class.getPackageName()))
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean("portcullisAuditMetricsWrapper");
          assertThat(context).hasSingleBean(AuditLog.class);
        });
  }
}
