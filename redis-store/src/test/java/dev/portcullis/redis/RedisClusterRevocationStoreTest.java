package dev.portcullis.redis;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.RevocationStoreContract;
import dev.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The revocation contract on a real three-master Redis Cluster. */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterRevocationStoreTest extends RevocationStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RedisStores redis;
  private final RevocationStore store;

  RedisClusterRevocationStoreTest(RedisCluster cluster) {
    redis = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .keyPrefix(SharedRedis.freshPrefix())
            .build(),
        clock);
    store = redis.revocationStore();
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Override
  protected RevocationStore store() {
    return store;
  }

  @Override
  protected Instant now() {
    return clock.instant();
  }

  @Override
  protected void advance(Duration by) {
    clock.advance(by);
  }
}
