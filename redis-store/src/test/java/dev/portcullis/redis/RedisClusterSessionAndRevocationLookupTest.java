package dev.portcullis.redis;

import dev.portcullis.session.SessionAndRevocationLookupContract;
import dev.portcullis.session.SessionConfig;
import java.time.InstantSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The combined lookup contract on a real three-master Redis Cluster: the session key and the revocation keys lie in
 * different slots, so the session store offers no one-call lookup and the answer comes from the two calls.
 */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterSessionAndRevocationLookupTest extends SessionAndRevocationLookupContract {
  private final RedisCluster cluster;
  private RedisStores redis;

  RedisClusterSessionAndRevocationLookupTest(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  protected Stores createStores(SessionConfig config, InstantSource clock) {
    redis = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .keyPrefix(SharedRedis.freshPrefix())
            .build(),
        clock);
    return new Stores(redis.sessionStore(config), redis.revocationStore(), redis::close);
  }

  @Override
  protected boolean answersInOneCall() {
    return false;
  }

  @Override
  protected boolean stopAnswering() {
    redis.close();
    return true;
  }
}
