package dev.portcullis.spring;

import static dev.portcullis.spring.PortcullisConfigurationException.building;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.jdbc.JdbcSchema;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.redis.RedisStoreConfig;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import java.security.SecureRandom;
import java.time.InstantSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The store beans, and the login limit's: PostgreSQL when {@code portcullis.jdbc.enabled=true}, Redis when
 * {@code portcullis.redis.uri} or {@code portcullis.redis.cluster-nodes} is set, in memory (one node) otherwise. Both
 * shared stores at once is a start-up failure, as are both Redis forms at once.
 */
final class PortcullisStores {
  private static final String JDBC_ACTION =
      "Fix portcullis.jdbc.*: query-timeout is above zero and at most 30 s;"
          + " network-timeout is at least the query timeout and at most 60 s; clock-skew is at most 10 minutes;"
          + " clean-up-every is at least 1 s; clean-up-batch-size is 1 to 100000.";

  private static final String BOTH_ACTION =
      "Choose one shared store for the nodes: remove portcullis.redis.uri and"
          + " portcullis.redis.cluster-nodes to keep the stores in PostgreSQL, or set portcullis.jdbc.enabled=false"
          + " to keep them in Redis.";

  private static final String REDIS_ACTION =
      "Fix portcullis.redis.*: set either uri (a redis://, rediss:// or"
          + " redis-sentinel:// URI) or cluster-nodes (redis:// or rediss:// URIs of one host and port each, all with"
          + " TLS or none), not both; command-timeout is above zero and at most 30 s; clock-skew at most 10 minutes;"
          + " key-prefix is 1 to 64 printable characters (on a cluster without { or });"
          + " max-pending-commands is 2 to 65536.";

  private PortcullisStores() {}

  /**
   * The login limit of nodes that share {@code store}. The store's hash key is derived from the key ring's active key
   * and follows the ring: after a reload promotes a new key, every node hashes with the key derived from it, whether it
   * started before or after the promotion (the budgets kept under the old key run out within the window).
   */
  private static LoginThrottle sharedLoginThrottle(
      PortcullisProperties properties,
      LoginAttemptStore store,
      KeyRingSource keyRing,
      InstantSource clock,
      SecureRandom random) {
    return PortcullisAutoConfiguration.loginThrottle(
        properties.getLogin().getLimit(), store, keyRing, clock, random);
  }

  /**
   * The application's {@code DataSource} (PostgreSQL), for every store and the login limit. Registered first, so that
   * the Redis and in-memory stores back off.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JdbcStores.class)
  @ConditionalOnBooleanProperty("portcullis.jdbc.enabled")
  static class Jdbc {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    JdbcStores portcullisJdbcStores(
        PortcullisProperties properties,
        ObjectProvider<DataSource> dataSources,
        InstantSource clock) {
      PortcullisAutoConfiguration.refuseMaxTrackedBesideSharedStore(
          properties.getLogin().getLimit(), "PostgreSQL (portcullis.jdbc.enabled=true)");
      PortcullisProperties.Redis redis = properties.getRedis();
      if (redis.getUri() != null || !redis.getClusterNodes().isEmpty()) {
        throw new PortcullisConfigurationException(
            "both portcullis.jdbc.enabled=true and portcullis.redis.uri or portcullis.redis.cluster-nodes are set",
            BOTH_ACTION);
      }
      DataSource dataSource = dataSources.getIfUnique();
      if (dataSource == null) {
        throw new PortcullisConfigurationException(
            "portcullis.jdbc.enabled=true but the application has no single DataSource bean",
            "Declare the PostgreSQL DataSource (spring.datasource.url with"
                + " spring-boot-starter-jdbc, or a @Bean; mark one @Primary if there are several), or set"
                + " portcullis.jdbc.enabled=false.");
      }
      PortcullisProperties.Jdbc jdbc = properties.getJdbc();
      JdbcStores.Builder builder = building("portcullis.jdbc", JDBC_ACTION, () -> {
        JdbcStores.Builder b = JdbcStores.builder(dataSource, clock);
        PropertyMapper map = PropertyMapper.get();
        map.from(jdbc::getQueryTimeout).to(b::queryTimeout);
        map.from(jdbc::getNetworkTimeout).to(b::networkTimeout);
        map.from(jdbc::getClockSkew).to(b::clockSkew);
        map.from(jdbc::getCleanUpBatchSize).to(b::cleanUpBatchSize);
        map.from(jdbc::getCleanUpEvery).to(b::cleanUpEvery);
        return b;
      });
      if (jdbc.isApplySchema()) {
        try {
          JdbcSchema.apply(dataSource);
        } catch (StoreUnavailableException e) {
          throw new PortcullisConfigurationException(
              e.getMessage(),
              "Check that the DataSource reaches PostgreSQL, that the tables exist (or its user may"
                  + " create them) and that its user holds SELECT, INSERT, UPDATE and DELETE on them;"
                  + " or apply the schema with your migration tool (Flyway location classpath:"
                  + JdbcSchema.LOCATION + ") and set portcullis.jdbc.apply-schema=false.",
              e);
        }
      }
      // Settings are checked here; the database is not: one that is down makes requests fail closed
      // until it answers.
      return building("portcullis.jdbc", JDBC_ACTION, builder::build);
    }

    @Bean
    @ConditionalOnMissingBean
    SessionStore portcullisSessionStore(JdbcStores jdbc, SessionConfig config) {
      return jdbc.sessionStore(config);
    }

    @Bean
    @ConditionalOnMissingBean
    RevocationStore portcullisRevocationStore(JdbcStores jdbc) {
      return jdbc.revocationStore();
    }

    @Bean
    @ConditionalOnMissingBean
    ReplayStore portcullisReplayStore(JdbcStores jdbc) {
      return jdbc.replayStore();
    }

    @Bean
    @ConditionalOnMissingBean
    AccountLinkStore portcullisAccountLinkStore(JdbcStores jdbc) {
      return jdbc.accountLinkStore();
    }

    /** The login limit with its budgets in PostgreSQL, so that all nodes share one limit. */
    @Bean
    @ConditionalOnMissingBean
    LoginThrottle portcullisLoginThrottle(
        PortcullisProperties properties,
        JdbcStores jdbc,
        KeyRingSource keyRing,
        InstantSource clock,
        SecureRandom random) {
      return sharedLoginThrottle(properties, jdbc.loginAttemptStore(), keyRing, clock, random);
    }
  }

  /** {@code portcullis.jdbc.enabled=true} without the module: refused rather than silently kept in memory. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("dev.portcullis.jdbc.JdbcStores")
  @ConditionalOnBooleanProperty("portcullis.jdbc.enabled")
  static class JdbcMissing {
    JdbcMissing() {
      throw new PortcullisConfigurationException(
          "portcullis.jdbc.enabled=true but dev.portcullis:portcullis-jdbc is not on the class path",
          "Add the dependency dev.portcullis:portcullis-jdbc, or set portcullis.jdbc.enabled=false.");
    }
  }

  /**
   * Matches when {@code portcullis.redis.uri} or {@code portcullis.redis.cluster-nodes} is set, in any form the binder
   * reads (a comma-separated value, indexed entries, {@code PORTCULLIS_REDIS_CLUSTERNODES_0_}). Both set also
   * matches, so that the stores refuse the contradiction at start-up rather than silently falling back to memory; so
   * does an empty node list.
   */
  static final class RedisConfigured extends SpringBootCondition {
    static final String URI = "portcullis.redis.uri";
    static final String CLUSTER_NODES = "portcullis.redis.cluster-nodes";

    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      ConditionMessage.Builder message = ConditionMessage.forCondition("Portcullis Redis stores");
      Binder binder = Binder.get(context.getEnvironment());
      if (binder.bind(URI, String.class).isBound()) {
        return ConditionOutcome.match(message.foundExactly(URI));
      }
      if (binder.bind(CLUSTER_NODES, Bindable.listOf(String.class)).isBound()) {
        return ConditionOutcome.match(message.foundExactly(CLUSTER_NODES));
      }
      return ConditionOutcome.noMatch(
          message.didNotFind("property", "properties").items(URI, CLUSTER_NODES));
    }
  }

  /** Registered first, so that the in-memory defaults back off. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RedisStores.class)
  @Conditional(RedisConfigured.class)
  @ConditionalOnBooleanProperty(
      name = "portcullis.jdbc.enabled",
      havingValue = false,
      matchIfMissing = true)
  static class Redis {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RedisStores portcullisRedisStores(PortcullisProperties properties, InstantSource clock) {
      PortcullisAutoConfiguration.refuseMaxTrackedBesideSharedStore(
          properties.getLogin().getLimit(), "Redis (portcullis.redis.*)");
      PortcullisProperties.Redis redis = properties.getRedis();
      RedisStoreConfig config = building("portcullis.redis", REDIS_ACTION, () -> {
        RedisStoreConfig.Builder builder = RedisStoreConfig.builder();
        PropertyMapper map = PropertyMapper.get();
        map.from(redis::getUri).to(builder::uri);
        map.from(redis::getClusterNodes).when(nodes -> !nodes.isEmpty()).to(builder::clusterNodes);
        map.from(redis::getKeyPrefix).to(builder::keyPrefix);
        map.from(redis::getCommandTimeout).to(builder::commandTimeout);
        map.from(redis::getClockSkew).to(builder::clockSkew);
        map.from(redis::getMaxPendingCommands)
            .as(n -> PropertyRange.of(
                "portcullis.redis.max-pending-commands",
                n,
                2,
                65_536,
                "2 to 65536",
                RedisStoreConfig.DEFAULT_MAX_PENDING_COMMANDS
                    + ", the commands of this node that may wait for Redis's answer at once"))
            .to(builder::maxPendingCommands);
        map.from(redis::getTrustedCertificates).to(builder::trustedCertificates);
        return builder.build();
      });
      try {
        return RedisStores.connect(config, clock);
      } catch (StoreUnavailableException e) {
        throw new PortcullisConfigurationException(
            e.getMessage(),
            "Check portcullis.redis.uri or portcullis.redis.cluster-nodes (hosts, ports,"
                + " password, TLS) and that Redis is reachable: a node does not start without its stores.",
            e);
      }
    }

    @Bean
    @ConditionalOnMissingBean
    SessionStore portcullisSessionStore(RedisStores redis, SessionConfig config) {
      return redis.sessionStore(config);
    }

    @Bean
    @ConditionalOnMissingBean
    RevocationStore portcullisRevocationStore(RedisStores redis) {
      return redis.revocationStore();
    }

    @Bean
    @ConditionalOnMissingBean
    ReplayStore portcullisReplayStore(RedisStores redis) {
      return redis.replayStore();
    }

    @Bean
    @ConditionalOnMissingBean
    AccountLinkStore portcullisAccountLinkStore(RedisStores redis) {
      return redis.accountLinkStore();
    }

    /**
     * The login limit with its budgets in Redis, so that all nodes share one limit (in memory, each node would grant an
     * account its own budget, and a client spreading its guesses over the nodes would get that many budgets).
     */
    @Bean
    @ConditionalOnMissingBean
    LoginThrottle portcullisLoginThrottle(
        PortcullisProperties properties,
        RedisStores redis,
        KeyRingSource keyRing,
        InstantSource clock,
        SecureRandom random) {
      return sharedLoginThrottle(properties, redis.loginAttemptStore(), keyRing, clock, random);
    }
  }

  /** One node: Caffeine and memory. */
  @Configuration(proxyBeanMethods = false)
  static class InMemory {
    @Bean
    @ConditionalOnMissingBean
    SessionStore portcullisSessionStore(SessionConfig config, InstantSource clock, AuditLog audit) {
      return CaffeineSessionStore.builder(config, clock)
          .listener(new SessionAudit(audit))
          .build();
    }

    @Bean
    @ConditionalOnMissingBean
    RevocationStore portcullisRevocationStore(InstantSource clock) {
      return RevocationStore.inMemory(clock);
    }

    @Bean
    @ConditionalOnMissingBean
    ReplayStore portcullisReplayStore(InstantSource clock) {
      return ReplayStore.inMemory(clock);
    }

    @Bean
    @ConditionalOnMissingBean
    AccountLinkStore portcullisAccountLinkStore() {
      return AccountLinkStore.inMemory();
    }
  }
}
