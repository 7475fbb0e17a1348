package dev.portcullis.redis;

import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.AccountLinkStoreContract;
import dev.portcullis.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The account-link contract on a real three-master Redis Cluster: every link key shares one hash tag. */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterAccountLinkStoreTest extends AccountLinkStoreContract {
  private final RedisStores redis;
  private final AccountLinkStore store;

  RedisClusterAccountLinkStoreTest(RedisCluster cluster) {
    redis = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .keyPrefix(SharedRedis.freshPrefix())
            .build(),
        MutableClock.startingAt2026());
    store = redis.accountLinkStore();
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
  protected AccountLinkStore store() {
    return store;
  }
}
