package dev.portcullis.redis;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.AttributeCodec;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionChanges;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionStore;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SessionStore} on Redis. A session is a hash {@code <prefix>s:<SessionKey>} with its creation time
 * ({@code c}), last access ({@code a}), user handle ({@code u}) and user index ({@code x}) once logged in, and one
 * field per attribute ({@code =name}, the attribute alone in {@link AttributeCodec} form). A logged-in user's sessions
 * are also in a set {@code <prefix>su:<sha256(user)>}, kept as long as the longest absolute timeout among them.
 *
 * <p>Every operation is one Lua script, so one round trip and atomic: {@link #load} reads and touches in one step (the
 * common case of an authenticated request), {@link #save} merges only the changed attributes onto what is stored, so
 * parallel requests keep each other's writes, and {@link #rotate} renames the hash and moves it in the user index in
 * one step; a rotation counts as an access. With this node's Redis revocation store, {@link #withRevocations} offers
 * the session read and the revocation check of an authenticated request as one script too. Timeouts are decided by the injected clock against the stored times;
 * Redis's TTL, the smaller of the idle timeout and the absolute time left, plus the clock skew, only clears dead
 * sessions away. Times are kept to the millisecond.
 *
 * <p><b>Security.</b> Fails closed: when Redis does not answer in time, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}; the registry then treats the request as having no
 * session. Keys hold the SHA-256 of the session id ({@link SessionKey}) and of the user handle, never either. Attribute
 * values are never Java-serialized; a stored attribute that does not decode makes the whole session count as absent.
 */
final class RedisSessionStore implements SessionStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);
  private static final byte[] EMPTY = new byte[0];
  private static final String ATTRIBUTE = "=";

  /** Shared head of every script: the times, and whether a hash {@code k} holds a live session at {@code now}. */
  private static final String HEAD = """
      local now, idle, abs, skew = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
      local function live(t)
        return t[1] and now < tonumber(t[2]) + idle and now < tonumber(t[1]) + abs
      end
      local function keep(k, created)
        redis.call('PEXPIRE', k, string.format('%d', math.min(idle, created + abs - now) + skew))
      end
      """;

  private static final LuaScript LOAD = LuaScript.of(HEAD + """
      local t = redis.call('HMGET', KEYS[1], 'c', 'a')
      if not live(t) then
        return {}
      end
      redis.call('HSET', KEYS[1], 'a', ARGV[1])
      keep(KEYS[1], tonumber(t[1]))
      return redis.call('HGETALL', KEYS[1])
      """);

  /** {@link #LOAD} without the touch: the session's fields, its last access and timeouts left as they are. */
  private static final LuaScript PEEK = LuaScript.of(HEAD + """
      local t = redis.call('HMGET', KEYS[1], 'c', 'a')
      if not live(t) then
        return {}
      end
      return redis.call('HGETALL', KEYS[1])
      """);

  /**
   * {@link #LOAD} and the revocation check of the request's ticket in one step: KEYS[2] is the ticket's revocation key,
   * KEYS[3] its user's cut-off key. Returns their values (false where absent) ahead of the session's fields, or nothing
   * when the session is not live.
   */
  private static final LuaScript LOAD_AND_CHECK_REVOCATION = LuaScript.of(HEAD + """
      local t = redis.call('HMGET', KEYS[1], 'c', 'a')
      if not live(t) then
        return {}
      end
      redis.call('HSET', KEYS[1], 'a', ARGV[1])
      keep(KEYS[1], tonumber(t[1]))
      local revoked = redis.call('MGET', KEYS[2], KEYS[3])
      local out = {revoked[1], revoked[2]}
      for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do
        table.insert(out, v)
      end
      return out
      """);

  /**
   * ARGV[5] 'c' creates, 'u' updates; ARGV[6] '-' leaves the user, 'L' logs in ARGV[7] (index KEYS[2]), 'O' logs out;
   * ARGV[8] the number of removed fields, then those, then field/value pairs to set.
   */
  private static final LuaScript SAVE = LuaScript.of(HEAD + """
      local k = KEYS[1]
      local t = redis.call('HMGET', k, 'c', 'a', 'x')
      local created
      if ARGV[5] == 'c' then
        if live(t) then
          return 0
        end
        if t[1] then
          redis.call('DEL', k)
          if t[3] then
            redis.call('SREM', t[3], k)
          end
          t[3] = false
        end
        created = now
        redis.call('HSET', k, 'c', ARGV[1])
      else
        if not live(t) then
          return 0
        end
        created = tonumber(t[1])
      end
      redis.call('HSET', k, 'a', ARGV[1])
      if ARGV[6] ~= '-' then
        if t[3] then
          redis.call('SREM', t[3], k)
        end
        if ARGV[6] == 'L' then
          redis.call('HSET', k, 'u', ARGV[7], 'x', KEYS[2])
          redis.call('SADD', KEYS[2], k)
          local left = created + abs - now + skew
          if redis.call('PTTL', KEYS[2]) < left then
            redis.call('PEXPIRE', KEYS[2], string.format('%d', left))
          end
        else
          redis.call('HDEL', k, 'u', 'x')
        end
      end
      local removals = tonumber(ARGV[8])
      for i = 1, removals do
        redis.call('HDEL', k, ARGV[8 + i])
      end
      for i = 9 + removals, #ARGV, 2 do
        redis.call('HSET', k, ARGV[i], ARGV[i + 1])
      end
      keep(k, created)
      return 1
      """);

  private static final LuaScript DELETE = LuaScript.of(HEAD + """
      local t = redis.call('HMGET', KEYS[1], 'c', 'a', 'x')
      if not t[1] then
        return 0
      end
      redis.call('DEL', KEYS[1])
      if t[3] then
        redis.call('SREM', t[3], KEYS[1])
      end
      if live(t) then
        return 1
      end
      return 0
      """);

  private static final LuaScript ROTATE = LuaScript.of(HEAD + """
      local from = redis.call('HMGET', KEYS[1], 'c', 'a', 'x')
      if not live(from) then
        return 0
      end
      local to = redis.call('HMGET', KEYS[2], 'c', 'a', 'x')
      if live(to) then
        return 0
      end
      if to[3] then
        redis.call('SREM', to[3], KEYS[2])
      end
      redis.call('RENAME', KEYS[1], KEYS[2])
      redis.call('HSET', KEYS[2], 'a', ARGV[1])
      keep(KEYS[2], tonumber(from[1]))
      if from[3] then
        redis.call('SREM', from[3], KEYS[1])
        redis.call('SADD', from[3], KEYS[2])
      end
      return 1
      """);

  /** ARGV[5] the user handle; with ARGV[6] 'd', deletes the sessions too. Prunes dead members either way. */
  private static final LuaScript BY_USER = LuaScript.of(HEAD + """
      local found = {}
      for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        local t = redis.call('HMGET', k, 'c', 'a', 'u')
        if t[3] == ARGV[5] and live(t) then
          table.insert(found, k)
          if ARGV[6] == 'd' then
            redis.call('DEL', k)
          end
        elseif t[3] == ARGV[5] then
          redis.call('DEL', k)
        end
        if ARGV[6] == 'd' or not (t[3] == ARGV[5] and live(t)) then
          redis.call('SREM', KEYS[1], k)
        end
      end
      return found
      """);

  private final RedisCalls redis;
  private final Keys keys;
  private final byte[] idleMillis;
  private final byte[] absoluteMillis;
  private final byte[] skewMillis;

  RedisSessionStore(RedisCalls redis, Keys keys, SessionConfig config, long clockSkewMillis) {
    this.redis = redis;
    this.keys = keys;
    this.idleMillis = Keys.ascii(config.idleTimeout().toMillis());
    this.absoluteMillis = Keys.ascii(config.absoluteTimeout().toMillis());
    this.skewMillis = Keys.ascii(clockSkewMillis);
  }

  @Override
  public Optional<SessionRecord> load(SessionKey key) {
    Instant now = now();
    List<Object> fields = redis.script(
        "load a session", LOAD, ScriptOutputType.MULTI, new String[] {sessionKey(key)}, times(now));
    return record(fields, 0, now);
  }

  @Override
  public Optional<SessionRecord> peek(SessionKey key) {
    Instant now = now();
    List<Object> fields = redis.script(
        "peek at a session",
        PEEK,
        ScriptOutputType.MULTI,
        new String[] {sessionKey(key)},
        times(now));
    Instant lastAccess = now;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if (text(fields.get(i)).equals("a")) {
        lastAccess = Instant.ofEpochMilli(Long.parseLong(text(fields.get(i + 1))));
      }
    }
    return record(fields, 0, lastAccess);
  }

  /**
   * The combined lookup when {@code revocations} is this node's Redis revocation store (the same connection and key
   * prefix): one {@code EVALSHA} per authenticated request. The session key and the revocation keys hash to
   * different Redis Cluster slots, so a cluster deployment would need the two calls; these stores support standalone
   * Redis and Sentinel only.
   */
  @Override
  public Optional<SessionAndRevocationLookup> withRevocations(RevocationStore revocations) {
    if (revocations instanceof RedisRevocationStore onRedis && onRedis.sharesWith(redis, keys)) {
      return Optional.of(this::loadAndCheckRevocation);
    }
    return Optional.empty();
  }

  private SessionAndRevocationLookup.Result loadAndCheckRevocation(
      SessionKey key, String ticketId, String userHandle, Instant issuedAt) {
    Objects.requireNonNull(issuedAt, "issuedAt");
    String[] keyList = {
      sessionKey(key),
      keys.revokedTicket(Objects.requireNonNull(ticketId, "ticketId")),
      keys.userCutOff(Objects.requireNonNull(userHandle, "userHandle"))
    };
    Instant now = now();
    List<Object> found = redis.script(
        "load a session and check a revocation",
        LOAD_AND_CHECK_REVOCATION,
        ScriptOutputType.MULTI,
        keyList,
        times(now));
    if (found.size() < 2) {
      return SessionAndRevocationLookup.Result.NO_SESSION;
    }
    Optional<SessionRecord> session = record(found, 2, now);
    if (session.isEmpty()) {
      return SessionAndRevocationLookup.Result.NO_SESSION;
    }
    boolean revoked = RedisRevocationStore.revoked(
        (byte[]) found.get(0), (byte[]) found.get(1), issuedAt, now.toEpochMilli());
    return new SessionAndRevocationLookup.Result(
        session,
        revoked
            ? SessionAndRevocationLookup.Revocation.REVOKED
            : SessionAndRevocationLookup.Revocation.NOT_REVOKED);
  }

  /** The session from a hash's field/value pairs, starting at {@code from}; empty when there are none. */
  private static Optional<SessionRecord> record(List<Object> fields, int from, Instant now) {
    if (fields.size() <= from) {
      return Optional.empty();
    }
    Instant created = null;
    String user = null;
    Map<String, Object> attributes = new LinkedHashMap<>();
    for (int i = from; i + 1 < fields.size(); i += 2) {
      String name = text(fields.get(i));
      byte[] value = (byte[]) fields.get(i + 1);
      if (name.equals("c")) {
        created = Instant.ofEpochMilli(Long.parseLong(text(value)));
      } else if (name.equals("u")) {
        user = text(value);
      } else if (name.startsWith(ATTRIBUTE)) {
        String attribute = name.substring(ATTRIBUTE.length());
        if (!(AttributeCodec.decode(value) instanceof AttributeCodec.Decoded.Ok ok)
            || !ok.attributes().containsKey(attribute)) {
          LOG.warn(
              "Portcullis Redis session store: a stored session attribute does not decode; session ignored");
          return Optional.empty();
        }
        attributes.put(attribute, ok.attributes().get(attribute));
      }
    }
    if (created == null) {
      return Optional.empty();
    }
    return Optional.of(SessionRecord.of(
        created, Instant.ofEpochMilli(now.toEpochMilli()), Optional.ofNullable(user), attributes));
  }

  @Override
  public boolean save(SessionKey key, SessionChanges changes) {
    Objects.requireNonNull(changes, "changes");
    String sessionKey = sessionKey(key);
    List<String> keyList = new ArrayList<>(List.of(sessionKey));
    List<byte[]> args = new ArrayList<>(List.of(times(now())));
    args.add(Keys.ascii(changes.creates() ? "c" : "u"));
    if (!changes.userHandleChanged()) {
      args.add(Keys.ascii("-"));
      args.add(EMPTY);
    } else if (changes.userHandle().isPresent()) {
      args.add(Keys.ascii("L"));
      args.add(Keys.utf8(changes.userHandle().get()));
      keyList.add(keys.sessionsOf(changes.userHandle().get()));
    } else {
      args.add(Keys.ascii("O"));
      args.add(EMPTY);
    }
    args.add(Keys.ascii(changes.removals().size()));
    for (String removed : changes.removals()) {
      args.add(Keys.utf8(ATTRIBUTE + removed));
    }
    for (Map.Entry<String, Object> put : changes.puts().entrySet()) {
      args.add(Keys.utf8(ATTRIBUTE + put.getKey()));
      args.add(AttributeCodec.encode(Map.of(put.getKey(), put.getValue())));
    }
    Long saved = redis.script(
        "save a session",
        SAVE,
        ScriptOutputType.INTEGER,
        keyList.toArray(new String[0]),
        args.toArray(new byte[0][]));
    return saved == 1;
  }

  @Override
  public boolean delete(SessionKey key) {
    Long deleted = redis.script(
        "delete a session",
        DELETE,
        ScriptOutputType.INTEGER,
        new String[] {sessionKey(key)},
        times(now()));
    return deleted == 1;
  }

  @Override
  public boolean rotate(SessionKey from, SessionKey to) {
    Long moved = redis.script(
        "rotate a session id",
        ROTATE,
        ScriptOutputType.INTEGER,
        new String[] {sessionKey(from), sessionKey(to)},
        times(now()));
    return moved == 1;
  }

  @Override
  public Set<SessionKey> findByUser(String userHandle) {
    return byUser("find a user's sessions", userHandle, "f");
  }

  @Override
  public int deleteByUser(String userHandle) {
    return byUser("delete a user's sessions", userHandle, "d").size();
  }

  private Set<SessionKey> byUser(String operation, String userHandle, String mode) {
    Objects.requireNonNull(userHandle, "userHandle");
    byte[][] t = times(now());
    List<Object> found = redis.script(
        operation,
        BY_USER,
        ScriptOutputType.MULTI,
        new String[] {keys.sessionsOf(userHandle)},
        t[0],
        t[1],
        t[2],
        t[3],
        Keys.utf8(userHandle),
        Keys.ascii(mode));
    Set<SessionKey> result = new HashSet<>();
    String sessionPrefix = keys.session(new byte[0]);
    for (Object member : found) {
      String name = text(member);
      result.add(SessionKey.fromBytes(
          Base64.getUrlDecoder().decode(name.substring(sessionPrefix.length()))));
    }
    return result;
  }

  private Instant now() {
    return keys.now();
  }

  private byte[][] times(Instant now) {
    return new byte[][] {Keys.ascii(now.toEpochMilli()), idleMillis, absoluteMillis, skewMillis};
  }

  private String sessionKey(SessionKey key) {
    return keys.session(Objects.requireNonNull(key, "key").toBytes());
  }

  private static String text(Object bytes) {
    return new String((byte[]) bytes, StandardCharsets.UTF_8);
  }
}
