package dev.portcullis.redis;

import dev.portcullis.session.SessionAndRevocationLookupContract;
import dev.portcullis.session.SessionConfig;
import java.time.InstantSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The combined lookup contract on a real Redis: the session store and the revocation store of one
 * {@link RedisStores} answer in one script call, with the answers of the two. The outage is the stores closed: every
 * call fails closed at once ({@link RedisOutageTest} is about a server that stops answering).
 */
@ExtendWith(SharedRedis.class)
class RedisSessionAndRevocationLookupTest extends SessionAndRevocationLookupContract {
  private final RedisServer server;
  private RedisStores redis;

  RedisSessionAndRevocationLookupTest(RedisServer server) {
    this.server = server;
  }

  @Override
  protected Stores createStores(SessionConfig config, InstantSource clock) {
    redis = RedisStores.connect(
        SharedRedis.patientConfig(server).keyPrefix(SharedRedis.freshPrefix()).build(), clock);
    return new Stores(redis.sessionStore(config), redis.revocationStore(), redis::close);
  }

  @Override
  protected boolean answersInOneCall() {
    return true;
  }

  @Override
  protected boolean stopAnswering() {
    redis.close();
    return true;
  }
}
