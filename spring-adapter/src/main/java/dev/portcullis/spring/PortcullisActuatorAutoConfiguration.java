package dev.portcullis.spring;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditMetrics;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Spring Boot Actuator: the {@code portcullis} health indicator ({@code management.health.portcullis.enabled}),
 * and with a Micrometer registry the audit counters of {@link AuditMetrics}: {@code portcullis.audit.events} by type
 * and outcome, {@code portcullis.search.demand.events} by endpoint, the audit log's delivery counters and queue, and
 * the filter's pending logouts ({@code portcullis.logouts.pending}).
 * The {@code env} and {@code configprops} endpoints always mask the SSO client secret, the PKCS12 key-store password,
 * the Redis URIs ({@code portcullis.redis.uri}, {@code portcullis.redis.cluster-nodes}, which may hold a password) and
 * the key ring's environment variable ({@code PORTCULLIS_KEY_RING}, and the one {@code
 * portcullis.keys.environment-variable} names), in whatever form (property, environment variable) they were given,
 * even with {@code show-values=always}.
 */
@AutoConfiguration(
    after = PortcullisAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnBean(KeyRingSource.class)
public final class PortcullisActuatorAutoConfiguration {
  /** {@code portcullis.redis.cluster-nodes} and its entries: {@code cluster-nodes[0]}, {@code CLUSTERNODES_0_}. */
  private static final Pattern CLUSTER_NODES =
      Pattern.compile(".*portcullisredisclusternodes[0-9]*");

  PortcullisActuatorAutoConfiguration() {}

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
  @ConditionalOnEnabledHealthIndicator("portcullis")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "portcullisHealthIndicator")
    HealthIndicator portcullisHealthIndicator(
        KeyRingSource keys,
        InstantSource clock,
        PortcullisProperties properties,
        ObjectProvider<SessionStore> sessions,
        ObjectProvider<RevocationStore> revocations,
        ObjectProvider<PortcullisFilter> filters,
        ObjectProvider<AuditLog> audit) {
      return new PortcullisHealthIndicator(
          keys,
          clock,
          properties.getKeys().getMaxAge(),
          sessions.getIfUnique(),
          revocations.getIfUnique(),
          () ->
              Optional.ofNullable(filters.getIfUnique()).flatMap(PortcullisFilter::pendingLogouts),
          audit.getIfUnique());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SanitizingFunction.class)
  static class Sanitizing {
    @Bean
    SanitizingFunction portcullisSecretSanitizer(ObjectProvider<PortcullisProperties> properties) {
      PortcullisProperties bound = properties.getIfAvailable();
      String keyRingVariable =
          bound == null ? KeyRingSources.ENV_VARIABLE : bound.getKeys().getEnvironmentVariable();
      return data -> isSecret(data.getKey(), keyRingVariable) ? data.withSanitizedValue() : data;
    }
  }

  /**
   * Whether {@code key} names a Portcullis secret: {@code portcullis.sso.client-secret},
   * {@code PORTCULLIS_SSO_CLIENT_SECRET}, {@code portcullis.sso.clientSecret} and the like; the PKCS12 password; the
   * Redis URIs ({@code portcullis.redis.cluster-nodes[0]}, {@code PORTCULLIS_REDIS_CLUSTERNODES_0_}, ...); and the
   * key ring's variable {@code PORTCULLIS_KEY_RING}.
   */
  static boolean isSecret(String key) {
    return isSecret(key, KeyRingSources.ENV_VARIABLE);
  }

  /** {@link #isSecret(String)}, and also the variable {@code keyRingVariable} names, in any case or punctuation. */
  static boolean isSecret(String key, String keyRingVariable) {
    if (key == null) {
      return false;
    }
    String plain = plain(key);
    if (plain.endsWith("portcullisssoclientsecret")
        || plain.endsWith("portculliskeyspkcs12password")
        || plain.endsWith("portcullisredisuri")
        || plain.endsWith("portculliskeyring")
        || CLUSTER_NODES.matcher(plain).matches()) {
      return true;
    }
    String variable = keyRingVariable == null ? "" : plain(keyRingVariable);
    return !variable.isEmpty() && plain.equals(variable);
  }

  /** The key as Spring's relaxed binding sees it: lower case, without separators, dashes or brackets. */
  private static String plain(String key) {
    return key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterRegistry.class, MeterBinder.class})
  @ConditionalOnBean({MeterRegistry.class, AuditLog.class})
  static class Metrics {
    @Bean
    AuditSinkWrapper portcullisAuditMetricsWrapper(MeterRegistry registry) {
      return new AuditSinkWrapper() {
        @Override
        public AuditSink wrap(AuditSink sink) {
          return AuditMetrics.counting(sink, registry);
        }

        @Override
        public SearchDemandSink wrap(SearchDemandSink sink) {
          return AuditMetrics.counting(sink, registry);
        }
      };
    }

    @Bean
    MeterBinder portcullisAuditLogMetrics(AuditLog audit) {
      return registry -> AuditMetrics.bind(audit, registry);
    }

    /** Counts the stores' failing calls in {@code portcullis.store.errors}, unless already counted. */
    @Bean
    StoreWrapper portcullisStoreMetricsWrapper(MeterRegistry registry) {
      return new StoreWrapper() {
        @Override
        public SessionStore wrap(SessionStore store) {
          return AuditMetrics.isCounting(store) ? store : AuditMetrics.counting(store, registry);
        }

        @Override
        public RevocationStore wrap(RevocationStore store) {
          return AuditMetrics.isCounting(store) ? store : AuditMetrics.counting(store, registry);
        }
      };
    }

    /**
     * The pending logouts of the filter ({@code portcullis.logouts.pending}, {@code .dropped}, {@code .oldest}), with
     * login.
     */
    @Bean
    MeterBinder portcullisPendingLogoutsMetrics(ObjectProvider<PortcullisFilter> filters) {
      return registry -> {
        PortcullisFilter filter = filters.getIfUnique();
        if (filter != null && filter.pendingLogouts().isPresent()) {
          AuditMetrics.bindPendingLogouts(() -> filter.pendingLogouts().orElseThrow(), registry);
        }
      };
    }

    /** The {@code portcullis.sessions.active} gauges, for a Caffeine session store (the others would have to count). */
    @Bean
    MeterBinder portcullisSessionStoreMetrics(ObjectProvider<SessionStore> sessions) {
      return registry -> {
        if (sessions.getIfUnique() instanceof CaffeineSessionStore caffeine) {
          AuditMetrics.bind(caffeine, registry);
        }
      };
    }
  }
}
