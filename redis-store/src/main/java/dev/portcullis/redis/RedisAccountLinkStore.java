package dev.portcullis.redis;

import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.sso.AccountLinkStore;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@link AccountLinkStore} on Redis. An identity is a key {@code <prefix>al:i:<sha256(issuer, subject)>} holding the
 * user handle; a linked user has a set {@code <prefix>al:u:<sha256(user)>} of their identities (each member the
 * issuer's length, a colon, the issuer and the subject). Linking and unlinking are Lua scripts, so an identity and its
 * user's set change together: an identity links to one user only, whichever node asks. Unlinking every identity of a
 * user reads the set and removes what it names in one script, repeated should a link arrive in between.
 *
 * <p>Links do not expire. Redis must keep them: give it persistence (RDB or AOF) when it holds links. A user marker
 * written by an earlier version (a plain string, not a set) still counts for {@link #isLinked} and is replaced by a set
 * on the next link; the identities linked before it are not listed.
 *
 * <p><b>Security.</b> Fails closed: when Redis does not answer in time, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}; no link is assumed or refused on a guess. Keys hold
 * hashes, never a raw issuer, subject or user handle; the user's set holds the issuers and subjects as values.
 */
final class RedisAccountLinkStore implements AccountLinkStore {
  private static final LuaScript LINK = LuaScript.of("""
      local cur = redis.call('GET', KEYS[1])
      if not cur then
        if redis.call('TYPE', KEYS[2]).ok ~= 'set' then
          redis.call('DEL', KEYS[2])
        end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[2], ARGV[2])
        return 0
      end
      if cur == ARGV[1] then
        return 1
      end
      return 2
      """);
  /** KEYS: the user's set, then identity keys; ARGV: the user, then the members naming those identities. */
  private static final LuaScript UNLINK = LuaScript.of("""
      local isSet = redis.call('TYPE', KEYS[1]).ok == 'set'
      local removed = 0
      for i = 2, #KEYS do
        if redis.call('GET', KEYS[i]) == ARGV[1] then
          redis.call('DEL', KEYS[i])
          removed = removed + 1
        end
        if isSet then
          redis.call('SREM', KEYS[1], ARGV[i])
        end
      end
      if not isSet and redis.call('EXISTS', KEYS[1]) == 1 and #KEYS == 1 then
        redis.call('DEL', KEYS[1])
      end
      return removed
      """);
  /** Repeats of unlinkAll's read-and-remove while links keep arriving; each round removes what it read. */
  private static final int UNLINK_ALL_ROUNDS = 8;

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
        new String[] {identity, keys.linkedUser(userHandle)}, Keys.utf8(userHandle), member(issuer, subject));
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
    List<LinkedIdentity> out = new ArrayList<>();
    for (byte[] m : members(Objects.requireNonNull(userHandle, "userHandle"))) {
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
    Long removed = redis.script("unlink an identity", UNLINK, ScriptOutputType.INTEGER,
        new String[] {keys.linkedUser(userHandle), keys.identity(check(issuer), check(subject))},
        Keys.utf8(userHandle), member(issuer, subject));
    return removed > 0;
  }

  @Override
  public int unlinkAll(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    String set = keys.linkedUser(userHandle);
    int total = 0;
    for (int round = 0; round < UNLINK_ALL_ROUNDS; round++) {
      Set<byte[]> members = members(userHandle);
      List<String> keyList = new ArrayList<>(List.of(set));
      List<byte[]> args = new ArrayList<>(List.of(Keys.utf8(userHandle)));
      for (byte[] m : members) {
        LinkedIdentity id = parse(m);
        // A member that does not parse names no identity key: a key that cannot exist, so only the member goes.
        keyList.add(id == null ? keys.identity("unparsable", new String(m, StandardCharsets.UTF_8))
            : keys.identity(id.issuer(), id.subject()));
        args.add(m);
      }
      Long removed = redis.script("unlink every identity of a user", UNLINK, ScriptOutputType.INTEGER,
          keyList.toArray(String[]::new), args.toArray(byte[][]::new));
      total += removed.intValue();
      if (members.isEmpty() || !isLinked(userHandle)) {
        return total;
      }
    }
    throw new StoreUnavailableException(
        "Redis store unavailable: links kept arriving while unlinking every identity of a user", null);
  }

  private Set<byte[]> members(String userHandle) {
    String set = keys.linkedUser(userHandle);
    return redis.call("list a user's linked identities", c -> {
      String type = c.type(set);
      return "set".equals(type) ? c.smembers(set) : Set.of();
    });
  }

  /** The set member naming (issuer, subject): the issuer's length keeps ("ab", "c") and ("a", "bc") apart. */
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
}
