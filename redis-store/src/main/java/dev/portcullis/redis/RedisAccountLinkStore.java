package dev.portcullis.redis;

import dev.portcullis.sso.AccountLinkStore;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link AccountLinkStore} on Redis. An identity is a key {@code <prefix>al:i:<sha256(issuer, subject)>} holding the
 * user handle; a linked user has a hash {@code <prefix>al:u:<sha256(user)>} from each of their identity keys to the
 * identity (the issuer's length, a colon, the issuer and the subject). Linking, unlinking one identity and unlinking
 * every identity of a user are each one Lua script, so an identity and its user's hash always change together: an
 * identity links to one user only, whichever node asks, and a link made while a user's links are removed is either
 * removed with them or kept whole. The user's hash names the identity keys the last script deletes, so on a Redis
 * Cluster every account-link key carries one hash tag and all of them lie in one slot ({@link Keys}); each operation
 * stays one atomic script there too.
 *
 * <p>Links do not expire. Redis must keep them: give it persistence (RDB or AOF) when it holds links. A user marker
 * written by an earlier version (a plain string, not a hash) still counts for {@link #isLinked} and is replaced by a
 * hash on the next link; the identities linked before it are not listed.
 *
 * <p><b>Security.</b> Fails closed: when Redis does not answer in time, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}; no link is assumed or refused on a guess. Keys hold
 * hashes, never a raw issuer, subject or user handle; the user's hash holds the issuers and subjects as values.
 */
final class RedisAccountLinkStore implements AccountLinkStore {
  /** KEYS: the identity, the user's hash; ARGV: the user, the identity as a hash value. */
  private static final LuaScript LINK = LuaScript.of("""
      local cur = redis.call('GET', KEYS[1])
      if not cur then
        if redis.call('TYPE', KEYS[2]).ok ~= 'hash' then
          redis.call('DEL', KEYS[2])
        end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('HSET', KEYS[2], KEYS[1], ARGV[2])
        return 0
      end
      if cur == ARGV[1] then
        return 1
      end
      return 2
      """);
  /** KEYS: the identity, the user's hash; ARGV: the user. */
  private static final LuaScript UNLINK = LuaScript.of("""
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then
        return 0
      end
      redis.call('DEL', KEYS[1])
      if redis.call('TYPE', KEYS[2]).ok == 'hash' then
        redis.call('HDEL', KEYS[2], KEYS[1])
      end
      return 1
      """);
  /** KEYS: the user's hash; ARGV: the user. */
  private static final LuaScript UNLINK_ALL = LuaScript.of("""
      local removed = 0
      if redis.call('TYPE', KEYS[1]).ok == 'hash' then
        for _, k in ipairs(redis.call('HKEYS', KEYS[1])) do
          if redis.call('GET', k) == ARGV[1] then
            redis.call('DEL', k)
            removed = removed + 1
          end
        end
      end
      redis.call('DEL', KEYS[1])
      return removed
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
    Long outcome = redis.script(
        "link an identity",
        LINK,
        ScriptOutputType.INTEGER,
        new String[] {identity, keys.linkedUser(userHandle)},
        Keys.utf8(userHandle),
        member(issuer, subject));
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

  @Override
  public List<LinkedIdentity> linksOf(String userHandle) {
    String user = keys.linkedUser(Objects.requireNonNull(userHandle, "userHandle"));
    List<byte[]> members = redis.call(
        "list a user's linked identities",
        c -> "hash".equals(c.type(user)) ? c.hvals(user) : List.of());
    List<LinkedIdentity> out = new ArrayList<>();
    for (byte[] m : members) {
      LinkedIdentity id = parse(m);
      if (id != null) {
        out.add(id);
      }
    }
    return List.copyOf(out);
  }

  @Override
  public boolean unlink(String issuer, String subject, String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    Long removed = redis.script(
        "unlink an identity",
        UNLINK,
        ScriptOutputType.INTEGER,
        new String[] {keys.identity(check(issuer), check(subject)), keys.linkedUser(userHandle)},
        Keys.utf8(userHandle));
    return removed > 0;
  }

  @Override
  public int unlinkAll(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    Long removed = redis.script(
        "unlink every identity of a user",
        UNLINK_ALL,
        ScriptOutputType.INTEGER,
        new String[] {keys.linkedUser(userHandle)},
        Keys.utf8(userHandle));
    return removed.intValue();
  }

  /** The hash value naming (issuer, subject): the issuer's length keeps ("ab", "c") and ("a", "bc") apart. */
  private static byte[] member(String issuer, String subject) {
    return Keys.utf8(issuer.length() + ":" + issuer + subject);
  }

  private static LinkedIdentity parse(byte[] member) {
    String s = new String(member, StandardCharsets.UTF_8);
    int colon = s.indexOf(':');
    try {
      int length = Integer.parseInt(s.substring(0, colon));
      String issuer = s.substring(colon + 1, colon + 1 + length);
      String subject = s.substring(colon + 1 + length);
      return issuer.isEmpty() || subject.isEmpty() ? null : new LinkedIdentity(issuer, subject);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String check(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("issuer and subject must be present");
    }
    return s;
  }

  /** True: every node with the same Redis and key prefix sees the same links. */
  @Override
  public boolean sharedBetweenNodes() {
    return true;
  }
}
