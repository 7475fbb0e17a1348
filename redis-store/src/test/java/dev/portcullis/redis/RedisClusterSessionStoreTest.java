package dev.portcullis.redis;

import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.session.SessionStoreContractTest;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The session contract on a real three-master Redis Cluster, where rotation, the user index and the deletion of a
 * user's sessions are split into single-slot calls; racing rotations against a deletion included.
 */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterSessionStoreTest extends SessionStoreContractTest {
  private final RedisCluster cluster;
  private RedisStores redis;

  RedisClusterSessionStoreTest(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  protected SessionStore createStore(SessionConfig config, InstantSource clock) {
    if (redis != null) {
      redis.close();
    }
    redis = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .keyPrefix(SharedRedis.freshPrefix())
            .build(),
        clock);
    return redis.sessionStore(config);
  }

  @AfterEach
  void closeRedis() {
    redis.close();
  }
}
