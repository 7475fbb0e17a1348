package dev.portcullis.redis;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.RevocationStoreContract;
import dev.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The revocation contract on a real Redis. The store decides expiry by its injected clock (the instant is stored in
 * the value), so moving the {@link MutableClock} is an honest {@code advance}; that Redis also drops the records on its
 * own clock is {@link RedisExpiryTest}'s business.
 */
@ExtendWith(SharedRedis.class)
class RedisRevocationStoreTest extends RevocationStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RedisStores redis;
  private final RevocationStore store;

  RedisRevocationStoreTest(RedisServer server) {
    redis = RedisStores.connect(
        SharedRedis.patientConfig(server).keyPrefix(SharedRedis.freshPrefix()).build(), clock);
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
