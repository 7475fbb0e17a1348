package dev.portcullis.redis;

import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.AccountLinkStoreContract;
import dev.portcullis.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The account-link contract on a real Redis. */
@ExtendWith(SharedRedis.class)
class RedisAccountLinkStoreTest extends AccountLinkStoreContract {
  private final RedisStores redis;
  private final AccountLinkStore store;

  RedisAccountLinkStoreTest(RedisServer server) {
    redis = RedisStores.connect(RedisStoreConfig.builder().uri(server.uri())
        .commandTimeout(SharedRedis.PATIENT).keyPrefix(SharedRedis.freshPrefix())
        .build(), MutableClock.startingAt2026());
    store = redis.accountLinkStore();
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Override
  protected AccountLinkStore store() {
    return store;
  }
}
