package dev.portcullis.redis;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginAttemptStoreContract;
import dev.portcullis.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The login-attempt contract on a real three-master Redis Cluster, with two connections standing for two nodes. */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterLoginAttemptStoreTest extends LoginAttemptStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RedisStores nodeA;
  private final RedisStores nodeB;

  RedisClusterLoginAttemptStoreTest(RedisCluster cluster) {
    RedisStoreConfig config = SharedRedisCluster.patientConfig(cluster)
        .keyPrefix(SharedRedis.freshPrefix())
        .build();
    nodeA = RedisStores.connect(config, clock);
    nodeB = RedisStores.connect(config, clock);
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
  }

  @Override
  protected LoginAttemptStore store() {
    return nodeA.loginAttemptStore();
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @Override
  protected LoginAttemptStore sameStoreOnAnotherNode() {
    return nodeB.loginAttemptStore();
  }

  @Override
  protected void advance(Duration by) {
    clock.advance(by);
  }
}
