package dev.portcullis.redis;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.internal.AttemptWindows;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * {@link LoginAttemptStore} on Redis: one login limit for every node.
 *
 * <p>A budget is a sorted set {@code <prefix>la:b:<sha256>} of attempt ids scored by the time (epoch milliseconds,
 * injected clock) their slot was taken. {@link #reserve} is one Lua script, which Redis runs atomically: drop the
 * slots that have left the window, count the rest, add the new one only below the limit, and keep the set for one
 * window (plus the configured clock skew) after its newest slot. {@link #release} is one {@code ZREM}. A known address
 * is a key {@code <prefix>la:k:<sha256>} holding the instant it stops being known; the injected clock decides, Redis's
 * TTL (the same instant plus the clock skew) only clears it away.
 *
 * <p><b>Security.</b> Of any number of concurrent reservations on any number of nodes, at most {@code limit} hold a
 * slot in one window. Fails closed: when Redis does not answer within the command timeout every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}, and the login is refused without a password check. A
 * stored instant that cannot be read means "not known". Keys hold SHA-256 hashes of the throttle's keys, which are
 * already keyed hashes: never a username or an address.
 */
final class RedisLoginAttemptStore implements LoginAttemptStore {
  /** KEYS[1] budget; ARGV now, window, limit, attempt id, TTL (all milliseconds but the limit and the id). */
  private static final LuaScript RESERVE = LuaScript.of("""
      local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - window))
      if redis.call('ZCARD', KEYS[1]) >= limit then
        return 0
      end
      if redis.call('ZADD', KEYS[1], 'NX', string.format('%d', now), ARGV[4]) == 0 then
        return 0
      end
      if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
      end
      return 1
      """);

  private final RedisCalls redis;
  private final Keys keys;
  private final long skewMillis;

  RedisLoginAttemptStore(RedisCalls redis, Keys keys, long skewMillis) {
    this.redis = redis;
    this.keys = keys;
    this.skewMillis = skewMillis;
  }

  @Override
  public boolean reserve(String key, long attemptId, int limit, Duration window) {
    AttemptWindows.checkReservation(key, limit);
    long windowMillis = AttemptWindows.millis(window);
    long now = keys.now().toEpochMilli();
    Long taken = redis.script(
        "reserve a login attempt",
        RESERVE,
        ScriptOutputType.INTEGER,
        new String[] {keys.loginBudget(key)},
        Keys.ascii(now),
        Keys.ascii(windowMillis),
        Keys.ascii(limit),
        Keys.ascii(attemptId),
        Keys.ascii(windowMillis + skewMillis));
    return taken != null && taken == 1L;
  }

  @Override
  public void release(String key, long attemptId) {
    Objects.requireNonNull(key, "key");
    String budget = keys.loginBudget(key);
    byte[] member = Keys.ascii(attemptId);
    redis.call("release a login attempt", c -> c.zrem(budget, member));
  }

  @Override
  public void rememberAddress(String key, Duration keepFor) {
    Objects.requireNonNull(key, "key");
    long keep = AttemptWindows.millis(keepFor);
    String known = keys.knownAddress(key);
    byte[] until = Keys.ascii(keys.now().toEpochMilli() + keep);
    redis.call(
        "remember a known address",
        c -> c.set(known, until, SetArgs.Builder.px(keep + skewMillis)));
  }

  /** True: every node with the same Redis and key prefix sees the same budgets and known addresses. */
  @Override
  public boolean sharedBetweenNodes() {
    return true;
  }

  @Override
  public boolean isKnownAddress(String key) {
    String known = keys.knownAddress(Objects.requireNonNull(key, "key"));
    byte[] value = redis.call("check a known address", c -> c.get(known));
    if (value == null) {
      return false;
    }
    try {
      return keys.now().toEpochMilli()
          < Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
