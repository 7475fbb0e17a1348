package dev.portcullis.redis;

import dev.portcullis.sso.ReplayStore;
import io.lettuce.core.SetArgs;
import java.time.Instant;
import java.util.Objects;

/**
 * {@link ReplayStore} on Redis: {@code SET <prefix>rp:<sha256> 1 NX PX <ttl>}, one atomic command, so of any number
 * of concurrent redemptions on any number of nodes exactly one wins. The record is kept until {@code keepUntil} by the
 * injected clock plus the configured clock skew.
 *
 * <p><b>Security.</b> Fails closed: when Redis does not answer in time, {@link #markUsed} throws
 * {@link dev.portcullis.revocation.StoreUnavailableException} and the redemption fails. A token whose
 * {@code keepUntil} lies more than the clock skew in the past is refused (false) without asking Redis: no node could
 * still accept it, and a record for it would vanish at once. Keys hold hashes, never a raw token id.
 */
final class RedisReplayStore implements ReplayStore {
  private static final byte[] USED = Keys.ascii("1");

  private final RedisCalls redis;
  private final Keys keys;

  RedisReplayStore(RedisCalls redis, Keys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  @Override
  public boolean markUsed(String tokenId, Instant keepUntil) {
    Objects.requireNonNull(tokenId, "tokenId");
    long ttl = keys.ttlMillis(keepUntil);
    if (ttl <= 0) {
      return false;
    }
    String key = keys.usedToken(tokenId);
    String reply = redis.call(
        "mark a token used", c -> c.set(key, USED, SetArgs.Builder.nx().px(ttl)));
    return "OK".equals(reply);
  }

  /** {@code DEL} of the id's key: one command, after which the next {@code SET NX} of the id wins. */
  @Override
  public boolean giveBack(String tokenId) {
    Objects.requireNonNull(tokenId, "tokenId");
    String key = keys.usedToken(tokenId);
    redis.call("give back a token's mark", c -> c.del(key));
    return true;
  }

  /** True: every node with the same Redis and key prefix sees the same marks. */
  @Override
  public boolean sharedBetweenNodes() {
    return true;
  }
}
