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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 * the session read and the revocation check of an authenticated request as one script too. Timeouts are decided by
 * the injected clock against the stored times; Redis's TTL, the smaller of the idle timeout and the absolute time left,
 * plus the clock skew, only clears dead sessions away. Times are kept to the millisecond.
 *
 * <p><b>On a Redis Cluster</b> a session's hash, the user's index and the revocation keys lie in different slots, so
 * the scripts touch the session's hash alone and the rest becomes separate calls, each in the order that fails closed:
 * {@link #load} is still one script; the combined lookup is two calls (session, then revocation); a save that logs a
 * user in adds the session to the user's index before and after writing it (a deletion of the user's sessions never
 * misses it), and one that logs out or changes user removes it from the old index afterwards; {@link #rotate} takes
 * the old session away first and writes it under the new key second, so a failure in between logs the user out rather
 * than leaving the old id valid; {@link #findByUser} and {@link #deleteByUser} read the index and then check (or
 * delete) each session on its own node. An index entry whose session is gone or is not the user's is harmless: the
 * index is always read against the sessions.
 *
 * <p><b>Security.</b> Fails closed: when Redis does not answer in time, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}; the registry then treats the request as having no
 * session. Keys hold the SHA-256 of the session id ({@link SessionKey}) and of the user handle, never either. Attribute
 * values are never Java-serialized; a stored attribute that does not decode, or a stored time that is not one, makes
 * the whole session count as absent, logged without the stored value.
 */
final class RedisSessionStore implements SessionStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);
  private static final byte[] EMPTY = new byte[0];
  private static final String ATTRIBUTE = "=";
  /**
   * Cluster only: how long a deletion of a user's sessions keeps a login or rotation it raced from writing, and how
   * long a rotation's forwarding mark lasts; far longer than the calls of one save or rotation take.
   */
  private static final Duration GUARD = Duration.ofMinutes(10);
  /** Cluster only: the most index entries one deletion of a user's sessions checks (forwarding marks included). */
  private static final int MOST_INDEX_ENTRIES = 100_000;

  /**
   * Shared head of every script: the times, and whether a hash {@code k} holds a live session at {@code now}. A
   * session created later than now (beyond the clock skew) is not live: no node wrote that, and it would outlive the
   * absolute timeout.
   */
  private static final String HEAD = """
      local now, idle, abs, skew = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
      local function live(t)
        return t[1] and now < tonumber(t[2]) + idle and now < tonumber(t[1]) + abs
          and tonumber(t[1]) <= now + skew
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
   * How the session scripts keep a user's session index: on one server inside the script ({@code index},
   * {@code unindex}), and the script returns its result alone; on a cluster, where the index lives in another slot,
   * the caller keeps it, and the script returns its result with the index it would have removed the session from
   * ({@code ''} when none).
   */
  private static final String INDEX_IN_SCRIPT = """
      local function unindex(set, k)
        redis.call('SREM', set, k)
      end
      local function index(set, k, left)
        redis.call('SADD', set, k)
        if redis.call('PTTL', set) < left then
          redis.call('PEXPIRE', set, string.format('%d', left))
        end
      end
      local function done(r)
        return r
      end
      """;

  private static final String INDEX_BY_CALLER = """
      local unindexed = ''
      local function unindex(set, k)
        unindexed = set
      end
      local function index(set, k, left)
      end
      local function done(r)
        return {r, unindexed}
      end
      """;

  /**
   * ARGV[5] 'c' creates, 'u' updates; ARGV[6] '-' leaves the user, 'L' logs in ARGV[7] (index ARGV[8], also KEYS[2] on
   * one server), 'O' logs out; ARGV[9] the number of removed fields, then those, then field/value pairs to set.
   */
  private static final String SAVE_BODY = """
      local k = KEYS[1]
      local t = redis.call('HMGET', k, 'c', 'a', 'x', 'g', 'gx')
      if t[4] and now < tonumber(t[4]) and (ARGV[5] == 'c' or (ARGV[6] == 'L' and ARGV[8] == t[5])) then
        return done(0)
      end
      local created
      if ARGV[5] == 'c' then
        if live(t) then
          return done(0)
        end
        if t[1] or t[4] then
          redis.call('DEL', k)
          if t[3] then
            unindex(t[3], k)
          end
          t[3] = false
        end
        created = now
        redis.call('HSET', k, 'c', ARGV[1])
      else
        if not live(t) then
          return done(0)
        end
        created = tonumber(t[1])
      end
      redis.call('HSET', k, 'a', ARGV[1])
      if ARGV[6] ~= '-' then
        if t[3] then
          unindex(t[3], k)
        end
        if ARGV[6] == 'L' then
          redis.call('HSET', k, 'u', ARGV[7], 'x', ARGV[8])
          index(ARGV[8], k, created + abs - now + skew)
        else
          redis.call('HDEL', k, 'u', 'x')
        end
      end
      local removals = tonumber(ARGV[9])
      for i = 1, removals do
        redis.call('HDEL', k, ARGV[9 + i])
      end
      for i = 10 + removals, #ARGV, 2 do
        redis.call('HSET', k, ARGV[i], ARGV[i + 1])
      end
      keep(k, created)
      return done(1)
      """;

  private static final LuaScript SAVE = LuaScript.of(HEAD + INDEX_IN_SCRIPT + SAVE_BODY);
  private static final LuaScript SAVE_ALONE = LuaScript.of(HEAD + INDEX_BY_CALLER + SAVE_BODY);

  private static final String DELETE_BODY = """
      local t = redis.call('HMGET', KEYS[1], 'c', 'a', 'x')
      if not t[1] then
        return done(0)
      end
      redis.call('DEL', KEYS[1])
      if t[3] then
        unindex(t[3], KEYS[1])
      end
      if live(t) then
        return done(1)
      end
      return done(0)
      """;

  private static final LuaScript DELETE = LuaScript.of(HEAD + INDEX_IN_SCRIPT + DELETE_BODY);
  private static final LuaScript DELETE_ALONE = LuaScript.of(HEAD + INDEX_BY_CALLER + DELETE_BODY);

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

  /**
   * Cluster rotation, first step: takes a live session away and returns its fields, or nothing when it is not live. In
   * its place it leaves a forwarding mark to the new key (ARGV[5]) with the user, kept ARGV[6] milliseconds, so that a
   * deletion of the user's sessions that comes upon the old key while the session is on its way follows it.
   */
  private static final LuaScript TAKE = LuaScript.of(HEAD + """
      local t = redis.call('HMGET', KEYS[1], 'c', 'a', 'u')
      if not live(t) then
        return {}
      end
      local fields = redis.call('HGETALL', KEYS[1])
      redis.call('DEL', KEYS[1])
      if t[3] then
        redis.call('HSET', KEYS[1], 'f', ARGV[5], 'u', t[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
      end
      return fields
      """);

  /**
   * Cluster rotation, second step: writes the fields {@link #TAKE} returned (ARGV[5] on, in pairs) under a new key,
   * as accessed now, unless a live session holds that key or a deletion of the user's sessions guards it.
   */
  private static final LuaScript PUT = LuaScript.of(HEAD + INDEX_BY_CALLER + """
      local to = redis.call('HMGET', KEYS[1], 'c', 'a', 'x', 'g')
      if live(to) or (to[4] and now < tonumber(to[4])) then
        return done(0)
      end
      if to[1] or to[4] then
        redis.call('DEL', KEYS[1])
        if to[3] then
          unindex(to[3], KEYS[1])
        end
      end
      for i = 5, #ARGV, 2 do
        redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
      end
      redis.call('HSET', KEYS[1], 'a', ARGV[1])
      keep(KEYS[1], tonumber(redis.call('HGET', KEYS[1], 'c')))
      return done(1)
      """);

  /** Cluster only: adds ARGV[1] to the index KEYS[1] and keeps the index at least ARGV[2] milliseconds. */
  private static final LuaScript INDEX = LuaScript.of("""
      redis.call('SADD', KEYS[1], ARGV[1])
      if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
      end
      return 1
      """);

  /**
   * Cluster only, one entry of a user's index: ARGV[5] the user, ARGV[6] 'f' to find or 'd' to delete, ARGV[7] how long
   * a guard lasts (milliseconds), ARGV[8] the index. Returns {1} when the entry is the user's live session (deleted
   * with 'd'); {3} when it was the user's session but is no longer live (then deleted); {0} otherwise. With 'd', an entry that is not (or
   * not yet) the user's live session is guarded: for ARGV[7] milliseconds no login as that user, creation or rotation
   * may write it, so a login or rotation racing the deletion is refused rather than missed; and a forwarding mark of a
   * rotation in flight returns {2, the new key} for the caller to follow.
   */
  private static final LuaScript OWNED = LuaScript.of(HEAD + """
      local t = redis.call('HMGET', KEYS[1], 'c', 'a', 'u', 'f')
      if t[3] == ARGV[5] and live(t) then
        if ARGV[6] == 'd' then
          redis.call('DEL', KEYS[1])
        end
        return {1}
      end
      if t[3] == ARGV[5] and t[1] then
        redis.call('DEL', KEYS[1])
        return {3}
      end
      if ARGV[6] ~= 'd' then
        return {0}
      end
      local existed = t[1] or t[4]
      redis.call('HSET', KEYS[1], 'g', string.format('%d', now + tonumber(ARGV[7])), 'gx', ARGV[8])
      if not existed then
        redis.call('PEXPIRE', KEYS[1], string.format('%d', tonumber(ARGV[7]) + skew))
      end
      if t[4] and t[3] == ARGV[5] then
        return {2, t[4]}
      end
      return {0}
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
  /** How long a cluster keeps a user's index at least after a session joins it: the longest a session lives. */
  private final byte[] indexMillis;
  /** How long a cluster's deletion of a user's sessions guards the keys it saw (see {@link #OWNED}). */
  private final byte[] guardMillis;
  /** How long a cluster keeps a rotation's forwarding mark: the guard and the clock skew. */
  private final byte[] markMillis;

  RedisSessionStore(RedisCalls redis, Keys keys, SessionConfig config, long clockSkewMillis) {
    this.redis = redis;
    this.keys = keys;
    this.idleMillis = Keys.ascii(config.idleTimeout().toMillis());
    this.absoluteMillis = Keys.ascii(config.absoluteTimeout().toMillis());
    this.skewMillis = Keys.ascii(clockSkewMillis);
    this.indexMillis = Keys.ascii(config.absoluteTimeout().toMillis() + clockSkewMillis);
    this.guardMillis = Keys.ascii(GUARD.toMillis());
    this.markMillis = Keys.ascii(GUARD.toMillis() + clockSkewMillis);
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
        Long accessed = millis((byte[]) fields.get(i + 1));
        if (accessed == null) {
          LOG.warn(
              "Portcullis Redis session store: a stored session's last access is not a time; session ignored");
          return Optional.empty();
        }
        lastAccess = Instant.ofEpochMilli(accessed);
      }
    }
    return record(fields, 0, lastAccess);
  }

  /** True: every node with the same Redis and key prefix sees the same sessions. */
  @Override
  public boolean sharedBetweenNodes() {
    return true;
  }

  /**
   * The combined lookup when {@code revocations} is this node's Redis revocation store (the same connection and key
   * prefix): one {@code EVALSHA} per authenticated request. Not on a Redis Cluster, where the session key and the
   * revocation keys lie in different slots: there this offers nothing, and the caller makes the two calls, the session
   * read first and the revocation check only when it found a session.
   */
  @Override
  public Optional<SessionAndRevocationLookup> withRevocations(RevocationStore revocations) {
    if (!keys.cluster()
        && revocations instanceof RedisRevocationStore onRedis
        && onRedis.sharesWith(redis, keys)) {
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
        Long millis = millis(value);
        if (millis == null) {
          LOG.warn(
              "Portcullis Redis session store: a stored session's creation time is not a time; session ignored");
          return Optional.empty();
        }
        created = Instant.ofEpochMilli(millis);
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

  /**
   * A stored time as the scripts write it, epoch milliseconds in decimal; null for anything else. Lua's
   * {@code tonumber} lets more through (white space, exponents, hexadecimal, {@code inf}), and the value is never
   * echoed: a log line about it stays short whatever the store holds.
   */
  private static Long millis(byte[] value) {
    if (value.length == 0 || value.length > 20) {
      return null;
    }
    try {
      return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public boolean save(SessionKey key, SessionChanges changes) {
    Objects.requireNonNull(changes, "changes");
    String sessionKey = sessionKey(key);
    List<String> keyList = new ArrayList<>(List.of(sessionKey));
    List<byte[]> args = new ArrayList<>(List.of(times(now())));
    args.add(Keys.ascii(changes.creates() ? "c" : "u"));
    String index = null;
    if (!changes.userHandleChanged()) {
      args.add(Keys.ascii("-"));
      args.add(EMPTY);
      args.add(EMPTY);
    } else if (changes.userHandle().isPresent()) {
      index = keys.sessionsOf(changes.userHandle().get());
      args.add(Keys.ascii("L"));
      args.add(Keys.utf8(changes.userHandle().get()));
      args.add(Keys.utf8(index));
      if (!keys.cluster()) {
        keyList.add(index);
      }
    } else {
      args.add(Keys.ascii("O"));
      args.add(EMPTY);
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
    String[] keyArray = keyList.toArray(new String[0]);
    byte[][] argArray = args.toArray(new byte[0][]);
    if (!keys.cluster()) {
      Long saved =
          redis.script("save a session", SAVE, ScriptOutputType.INTEGER, keyArray, argArray);
      return saved == 1;
    }
    // On a cluster the user's index lies in another slot. The session joins it before it is
    // written under the user, so that a deletion of the user's sessions either finds it or
    // guards its key against the write. An index entry whose session is not the user's is
    // harmless: the index is only ever read against the sessions themselves.
    if (index != null) {
      addToIndex(index, sessionKey);
    }
    List<Object> outcome =
        redis.script("save a session", SAVE_ALONE, ScriptOutputType.MULTI, keyArray, argArray);
    boolean saved = (Long) outcome.get(0) == 1;
    removeFromIndex(text(outcome.get(1)), index, sessionKey);
    return saved;
  }

  @Override
  public boolean delete(SessionKey key) {
    String sessionKey = sessionKey(key);
    if (!keys.cluster()) {
      Long deleted = redis.script(
          "delete a session",
          DELETE,
          ScriptOutputType.INTEGER,
          new String[] {sessionKey},
          times(now()));
      return deleted == 1;
    }
    List<Object> outcome = redis.script(
        "delete a session",
        DELETE_ALONE,
        ScriptOutputType.MULTI,
        new String[] {sessionKey},
        times(now()));
    removeFromIndex(text(outcome.get(1)), null, sessionKey);
    return (Long) outcome.get(0) == 1;
  }

  /**
   * On one server, one script. On a cluster, where the two keys lie in different slots, the old session is taken away
   * first and written under the new key second: if the second step fails, the user is logged out, and the old id is
   * never left valid beside the new one.
   */
  @Override
  public boolean rotate(SessionKey from, SessionKey to) {
    String fromKey = sessionKey(from);
    String toKey = sessionKey(to);
    if (!keys.cluster()) {
      Long moved = redis.script(
          "rotate a session id",
          ROTATE,
          ScriptOutputType.INTEGER,
          new String[] {fromKey, toKey},
          times(now()));
      return moved == 1;
    }
    byte[][] t = times(now());
    List<Object> fields = redis.script(
        "take a session away to rotate its id",
        TAKE,
        ScriptOutputType.MULTI,
        new String[] {fromKey},
        t[0],
        t[1],
        t[2],
        t[3],
        Keys.utf8(toKey),
        markMillis);
    if (fields.isEmpty()) {
      return false;
    }
    String index = null;
    List<byte[]> args = new ArrayList<>(List.of(t));
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      byte[] name = (byte[]) fields.get(i);
      byte[] value = (byte[]) fields.get(i + 1);
      if (text(name).equals("x")) {
        index = text(value);
      }
      args.add(name);
      args.add(value);
    }
    if (index != null) {
      addToIndex(index, toKey);
    }
    List<Object> outcome = redis.script(
        "write a session under its rotated id",
        PUT,
        ScriptOutputType.MULTI,
        new String[] {toKey},
        args.toArray(new byte[0][]));
    boolean moved = (Long) outcome.get(0) == 1;
    if (index != null) {
      String oldIndex = index;
      redis.call(
          "remove a session from its user's index", c -> c.srem(oldIndex, Keys.utf8(fromKey)));
    }
    removeFromIndex(text(outcome.get(1)), index, toKey);
    return moved;
  }

  /** Cluster only: {@code sessionKey} joins the user's index {@code index}, which is kept as long as any session. */
  private void addToIndex(String index, String sessionKey) {
    redis.script(
        "add a session to its user's index",
        INDEX,
        ScriptOutputType.INTEGER,
        new String[] {index},
        Keys.utf8(sessionKey),
        indexMillis);
  }

  /** Cluster only: {@code sessionKey} leaves {@code from} (none when empty), unless that is {@code keep}. */
  private void removeFromIndex(String from, String keep, String sessionKey) {
    if (!from.isEmpty() && !from.equals(keep)) {
      redis.call(
          "remove a session from its user's index", c -> c.srem(from, Keys.utf8(sessionKey)));
    }
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
    if (keys.cluster()) {
      return byUserOnCluster(operation, userHandle, mode);
    }
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
    for (Object member : found) {
      result.add(SessionKey.fromBytes(keys.sessionKeyOf(text(member))));
    }
    return result;
  }

  /**
   * The cluster form of {@link #BY_USER}: the index is read, then each entry checked (and deleted) on its own node.
   * Finding prunes only the user's dead sessions: an entry whose session is absent or not the user's may be a login
   * under way. Deleting prunes every entry it saw, guards those that were not the user's live sessions against a login
   * or rotation racing it (their write is then refused), and follows a rotation in flight to its new key.
   */
  private Set<SessionKey> byUserOnCluster(String operation, String userHandle, String mode) {
    String index = keys.sessionsOf(userHandle);
    Set<byte[]> members = redis.call(operation, c -> c.smembers(index));
    boolean deleting = mode.equals("d");
    Set<SessionKey> result = new HashSet<>();
    List<byte[]> pruned = new ArrayList<>();
    Deque<String> toCheck = new ArrayDeque<>();
    Set<String> seen = new HashSet<>();
    for (byte[] member : members) {
      toCheck.add(text(member));
    }
    while (!toCheck.isEmpty() && seen.size() < MOST_INDEX_ENTRIES) {
      String sessionKey = toCheck.poll();
      if (!seen.add(sessionKey)) {
        continue;
      }
      byte[][] t = times(now());
      List<Object> owned = redis.script(
          operation,
          OWNED,
          ScriptOutputType.MULTI,
          new String[] {sessionKey},
          t[0],
          t[1],
          t[2],
          t[3],
          Keys.utf8(userHandle),
          Keys.ascii(mode),
          guardMillis,
          Keys.utf8(index));
      long outcome = (Long) owned.get(0);
      if (outcome == 1) {
        result.add(SessionKey.fromBytes(keys.sessionKeyOf(sessionKey)));
      } else if (outcome == 2) {
        toCheck.add(text(owned.get(1)));
      }
      if (deleting || outcome == 3) {
        pruned.add(Keys.utf8(sessionKey));
      }
    }
    if (!pruned.isEmpty()) {
      byte[][] gone = pruned.toArray(new byte[0][]);
      redis.call(operation, c -> c.srem(index, gone));
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
