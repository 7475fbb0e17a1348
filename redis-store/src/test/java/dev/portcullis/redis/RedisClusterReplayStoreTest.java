package dev.portcullis.redis;

import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.ReplayStoreContract;
import dev.portcullis.testing.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The replay contract, concurrent double redemptions included, on a real three-master Redis Cluster. */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterReplayStoreTest extends ReplayStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RedisStores redis;
  private final ReplayStore store;

  RedisClusterReplayStoreTest(RedisCluster cluster) {
    redis = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .keyPrefix(SharedRedis.freshPrefix())
            .build(),
        clock);
    store = redis.replayStore();
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @Override
  protected ReplayStore store() {
    return store;
  }

  @Override
  protected Instant now() {
    return clock.instant();
  }
}
