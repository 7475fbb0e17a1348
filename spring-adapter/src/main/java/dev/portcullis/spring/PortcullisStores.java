package dev.portcullis.spring;

import static dev.portcullis.spring.PortcullisConfigurationException.building;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.redis.RedisStoreConfig;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import java.time.InstantSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The store beans: Redis when {@code portcullis.redis.uri} is set, in memory (one node) otherwise. */
final class PortcullisStores {
  private PortcullisStores() {}

  /** Registered first, so that the in-memory defaults back off. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RedisStores.class)
  @ConditionalOnProperty(prefix = "portcullis.redis", name = "uri")
  static class Redis {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RedisStores portcullisRedisStores(PortcullisProperties properties, InstantSource clock) {
      PortcullisProperties.Redis redis = properties.getRedis();
      RedisStoreConfig config = building(
          "portcullis.redis",
          "Fix portcullis.redis.*: uri is a redis://, rediss:// or"
              + " redis-sentinel:// URI; command-timeout is above zero and at most 30 s; clock-skew at most 10 minutes;"
              + " key-prefix is 1 to 64 printable characters.",
          () -> {
            RedisStoreConfig.Builder builder = RedisStoreConfig.builder().uri(redis.getUri());
            PropertyMapper map = PropertyMapper.get();
            map.from(redis::getKeyPrefix).to(builder::keyPrefix);
            map.from(redis::getCommandTimeout).to(builder::commandTimeout);
            map.from(redis::getClockSkew).to(builder::clockSkew);
            return builder.build();
          });
      try {
        return RedisStores.connect(config, clock);
      } catch (StoreUnavailableException e) {
        throw new PortcullisConfigurationException(
            e.getMessage(),
            "Check portcullis.redis.uri (host, port, password,"
                + " TLS) and that Redis is reachable: a node does not start without its stores.",
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
