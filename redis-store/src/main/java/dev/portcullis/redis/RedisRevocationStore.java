package dev.portcullis.redis;

import dev.portcullis.revocation.RevocationStore;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@link RevocationStore} on Redis, for portals on more than one node.
 *
 * <p>A revoked ticket is a key {@code <prefix>rv:t:<sha256>} holding its expiry; a user's cut-off is a key
 * {@code <prefix>rv:u:<sha256>} holding the cut-off and how long it is kept. Expiry is decided by the injected clock,
 * against the instant stored in the value; Redis's own TTL (the same expiry plus the configured clock skew) only
 * clears the record away. {@link #isRevoked} is one {@code MGET}: one round trip per authenticated request (on a Redis
 * Cluster, where the two keys lie in different slots, the client sends one {@code GET} to each key's node).
 *
 * <p><b>Security.</b> Fails closed: when Redis does not answer within the command timeout, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}, never "not revoked". A stored value that cannot be read
 * counts as a revocation. Keys hold hashes, never a raw ticket id or user handle.
 */
final class RedisRevocationStore implements RevocationStore {
  /** Keeps the later of the stored and the new cut-off, and the later keep-until, in one atomic step. */
  private static final LuaScript LATER_CUT_OFF = LuaScript.of("""
      local cutS, cutN, keep, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
      local cur = redis.call('GET', KEYS[1])
      if cur then
        local s, n, k = string.match(cur, '^(%-?%d+) (%d+) (%-?%d+)$')
        if s then
          if tonumber(s) > tonumber(cutS) or (tonumber(s) == tonumber(cutS) and tonumber(n) > tonumber(cutN)) then
            cutS, cutN = s, n
          end
          if tonumber(k) > tonumber(keep) then
            ttl = ttl + (tonumber(k) - tonumber(keep))
            keep = k
          end
        end
      end
      redis.call('SET', KEYS[1], cutS .. ' ' .. cutN .. ' ' .. keep, 'PX', string.format('%d', ttl))
      return 1
      """);

  private final RedisCalls redis;
  private final Keys keys;

  RedisRevocationStore(RedisCalls redis, Keys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Whether this store uses {@code redis} under {@code keys}: the same connection and key prefix. */
  boolean sharesWith(RedisCalls redis, Keys keys) {
    return this.redis == redis && this.keys == keys;
  }

  @Override
  public void revoke(String ticketId, Instant expiresAt) {
    Objects.requireNonNull(ticketId, "ticketId");
    long ttl = keys.ttlMillis(expiresAt);
    if (ttl <= 0) {
      return; // expired on every node already: nothing would ever read it
    }
    String key = keys.revokedTicket(ticketId);
    byte[] value = Keys.ascii(Keys.ceilMillis(expiresAt));
    redis.call("revoke a ticket", c -> c.set(key, value, SetArgs.Builder.px(ttl)));
  }

  @Override
  public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
    Objects.requireNonNull(userHandle, "userHandle");
    Objects.requireNonNull(cutOff, "cutOff");
    long ttl = keys.ttlMillis(keepUntil);
    if (ttl <= 0) {
      return;
    }
    redis.script(
        "revoke a user's tickets",
        LATER_CUT_OFF,
        ScriptOutputType.INTEGER,
        new String[] {keys.userCutOff(userHandle)},
        Keys.ascii(cutOff.getEpochSecond()),
        Keys.ascii(cutOff.getNano()),
        Keys.ascii(Keys.ceilMillis(keepUntil)),
        Keys.ascii(ttl));
  }

  @Override
  public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
    Objects.requireNonNull(issuedAt, "issuedAt");
    String ticketKey = keys.revokedTicket(Objects.requireNonNull(ticketId, "ticketId"));
    String userKey = keys.userCutOff(Objects.requireNonNull(userHandle, "userHandle"));
    List<KeyValue<String, byte[]>> found =
        redis.call("check a revocation", c -> c.mget(ticketKey, userKey));
    return revoked(
        found.get(0).getValueOrElse(null),
        found.get(1).getValueOrElse(null),
        issuedAt,
        keys.now().toEpochMilli());
  }

  /**
   * The answer from the stored values of the ticket's key and its user's cut-off key (null where there is none), as
   * read by {@link #isRevoked} or by the session store's combined lookup.
   */
  static boolean revoked(byte[] ticketValue, byte[] cutOffValue, Instant issuedAt, long nowMillis) {
    if (ticketValue != null && ticketStillRevoked(ticketValue, nowMillis)) {
      return true;
    }
    return cutOffValue != null && cutOffCovers(cutOffValue, issuedAt, nowMillis);
  }

  private static boolean ticketStillRevoked(byte[] value, long nowMillis) {
    try {
      return nowMillis < Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static boolean cutOffCovers(byte[] value, Instant issuedAt, long nowMillis) {
    String[] parts = new String(value, StandardCharsets.US_ASCII).split(" ", -1);
    try {
      if (parts.length != 3) {
        return true;
      }
      if (nowMillis >= Long.parseLong(parts[2])) {
        return false;
      }
      Instant cutOff = Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
      return !issuedAt.isAfter(cutOff);
    } catch (RuntimeException e) {
      return true;
    }
  }
}
