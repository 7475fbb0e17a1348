package dev.portcullis.redis;

import dev.portcullis.sso.AccountLinkStore;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link AccountLinkStore} on Redis. An identity is a key {@code <prefix>al:i:<sha256(issuer, subject)>} holding the
 * user handle; a linked user has a marker {@code <prefix>al:u:<sha256(user)>}. Linking is one Lua script, so the
 * check, the link and the marker happen atomically: an identity links to one user only, whichever node asks.
 *
 * <p>Links do not expire. Redis must keep them: give it persistence (RDB or AOF) when it holds links.
 *
 * <p><b>Security.</b> Fails closed: when Redis does not answer in time, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}; no link is assumed or refused on a guess. Keys hold
 * hashes, never a raw issuer, subject or user handle.
 */
final class RedisAccountLinkStore implements AccountLinkStore {
  private static final LuaScript LINK = LuaScript.of("""
      local cur = redis.call('GET', KEYS[1])
      if not cur then
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('SET', KEYS[2], '1')
        return 0
      end
      if cur == ARGV[1] then
        return 1
      end
      return 2
      """);

  private final RedisCalls redis;
  private final Keys keys;

  RedisAccountLinkStore(RedisCalls redis, Keys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  @Override
  public LinkResult link(String issuer, String subject, String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    String identity = keys.identity(check(issuer), check(subject));
    Long outcome = redis.script("link an identity", LINK, ScriptOutputType.INTEGER,
        new String[] {identity, keys.linkedUser(userHandle)}, Keys.utf8(userHandle));
    return switch (outcome.intValue()) {
      case 0 -> LinkResult.LINKED;
      case 1 -> LinkResult.ALREADY_LINKED;
      default -> LinkResult.CONFLICT;
    };
  }

  @Override
  public Optional<String> userFor(String issuer, String subject) {
    String identity = keys.identity(check(issuer), check(subject));
    byte[] user = redis.call("look up a linked identity", c -> c.get(identity));
    return Optional.ofNullable(user).map(u -> new String(u, StandardCharsets.UTF_8));
  }

  @Override
  public boolean isLinked(String userHandle) {
    String marker = keys.linkedUser(Objects.requireNonNull(userHandle, "userHandle"));
    return redis.call("check for a linked identity", c -> c.exists(marker)) > 0;
  }

  private static String check(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("issuer and subject must be present");
    }
    return s;
  }
}
