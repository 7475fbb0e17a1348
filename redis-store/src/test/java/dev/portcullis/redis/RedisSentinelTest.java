package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stores reach a master through Sentinel: a real {@code redis-server} in Sentinel mode watches the shared test
 * server, and the stores are given only a {@code redis-sentinel://} URI naming the sentinel and the master.
 */
@ExtendWith(SharedRedis.class)
class RedisSentinelTest {
  private final RedisServer master;
  private RedisSentinel sentinel;

  RedisSentinelTest(RedisServer master) {
    this.master = master;
  }

  @AfterEach
  void stopSentinel() throws IOException {
    if (sentinel != null) {
      sentinel.close();
    }
  }

  @Test
  void storesGivenASentinelUri_reachTheMasterItNames() throws Exception {
    sentinel = RedisSentinel.watching(master);
    MutableClock clock = MutableClock.startingAt2026();
    String prefix = SharedRedis.freshPrefix();
    RedisStoreConfig config = RedisStoreConfig.builder()
        .uri(sentinel.uri())
        .keyPrefix(prefix)
        .commandTimeout(SharedRedis.PATIENT)
        .build();

    try (RedisStores stores = RedisStores.connect(config, clock)) {
      RevocationStore revocations = stores.revocationStore();
      revocations.revoke("t-sentinel", clock.instant().plus(Duration.ofHours(1)));
      assertThat(revocations.isRevoked("t-sentinel", "u-1", clock.instant())).isTrue();
      assertThat(revocations.isRevoked("t-other", "u-1", clock.instant())).isFalse();
    }
    try (RedisInspector inspector = new RedisInspector(master)) {
      assertThat(inspector.keys(prefix)).hasSize(1);
    }
  }
}
