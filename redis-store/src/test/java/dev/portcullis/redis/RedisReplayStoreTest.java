package dev.portcullis.redis;

import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.ReplayStoreContract;
import dev.portcullis.testing.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The replay contract, 1,000 concurrent double redemptions included, on a real Redis. */
@ExtendWith(SharedRedis.class)
class RedisReplayStoreTest extends ReplayStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RedisStores redis;
  private final ReplayStore store;

  RedisReplayStoreTest(RedisServer server) {
    redis = RedisStores.connect(
        SharedRedis.patientConfig(server).keyPrefix(SharedRedis.freshPrefix()).build(), clock);
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
