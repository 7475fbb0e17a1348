package dev.portcullis.redis;

import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.session.SessionStoreContractTest;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The session contract on a real Redis. Timeouts are decided by the injected clock against the stored times, so the
 * contract's {@code advance} (moving the fake clock) needs no reinterpretation.
 */
@ExtendWith(SharedRedis.class)
class RedisSessionStoreTest extends SessionStoreContractTest {
  private final RedisServer server;
  private RedisStores redis;

  RedisSessionStoreTest(RedisServer server) {
    this.server = server;
  }

  @Override
  protected SessionStore createStore(SessionConfig config, InstantSource clock) {
    if (redis != null) {
      redis.close();
    }
    redis = RedisStores.connect(
        SharedRedis.patientConfig(server).keyPrefix(SharedRedis.freshPrefix()).build(), clock);
    return redis.sessionStore(config);
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @AfterEach
  void closeRedis() {
    redis.close();
  }
}
