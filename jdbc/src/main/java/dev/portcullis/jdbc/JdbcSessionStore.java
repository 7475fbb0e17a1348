package dev.portcullis.jdbc;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.AttributeCodec;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionChanges;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionRecord;
import dev.portcullis.session.SessionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SessionStore} on PostgreSQL. A session is a row of {@code portcullis_session} keyed by its {@link SessionKey}
 * (already the SHA-256 of the session id), with its creation and last-access times and, once logged in, the user
 * handle and its hash; each attribute is a row of {@code portcullis_session_attribute}, the attribute alone in
 * {@link AttributeCodec} form, as the Redis store keeps it.
 *
 * <p>{@link #load} reads and touches in one statement; with the revocation store of the same {@link JdbcStores},
 * {@link #withRevocations} adds the revocation check of the request's ticket to that statement (the common case of
 * an authenticated request: one round trip for both).
 * {@link #save} locks the session row, then merges only the changed attributes onto what is stored, in one
 * transaction, so parallel requests keep each other's writes. {@link #rotate} changes the row's key (the attributes
 * follow by {@code ON UPDATE CASCADE}) in one transaction; a rotation counts as an access. Timeouts are decided by the
 * injected clock against the stored times; the stored expiry only tells the clean-up what it may delete. Times are
 * kept to the millisecond.
 *
 * <p><b>Security.</b> Fails closed: when the database does not answer in time, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}; the registry then treats the request as having no
 * session. Rows are keyed by the SHA-256 of the session id and of the user handle, never either. Attribute values are
 * never Java-serialized; a stored attribute that does not decode makes the whole session count as absent.
 */
final class JdbcSessionStore implements SessionStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcSessionStore.class);
  private static final String UNIQUE_VIOLATION = "23505";

  /**
   * Whether the row is live at the first parameter, given idle and absolute milliseconds as the next two, and the
   * latest creation time a live row may have (now plus the clock skew) as the last: no node writes a later one, and
   * such a row would outlive the absolute timeout.
   */
  private static final String LIVE =
      "(?::bigint < accessed_ms + ? AND ?::bigint < created_ms + ? AND created_ms <= ?::bigint)";
  /** The stored expiry after an access at the first parameter. */
  private static final String EXPIRES = "LEAST(?::bigint + ?, created_ms + ?)";

  private static final String LOAD =
      "WITH s AS (UPDATE portcullis_session SET accessed_ms = ?, expires_ms = "
          + EXPIRES + " WHERE id = ? AND " + LIVE + " RETURNING id, created_ms, user_handle)"
          + " SELECT s.created_ms, s.user_handle, a.name, a.value FROM s"
          + " LEFT JOIN portcullis_session_attribute a ON a.session_id = s.id";
  /** {@link #LOAD} with the revocation check of the request's ticket as one more column of every row. */
  private static final String LOAD_AND_CHECK_REVOCATION =
      "WITH s AS (UPDATE portcullis_session SET accessed_ms = ?, expires_ms = "
          + EXPIRES + " WHERE id = ? AND " + LIVE + " RETURNING id, created_ms, user_handle)"
          + " SELECT s.created_ms, s.user_handle, a.name, a.value, "
          + JdbcRevocationStore.REVOKED + " FROM s"
          + " LEFT JOIN portcullis_session_attribute a ON a.session_id = s.id";

  /** The session's row and attributes, with its last access as the fifth column; nothing is touched. */
  private static final String PEEK =
      "SELECT s.created_ms, s.user_handle, a.name, a.value, s.accessed_ms FROM portcullis_session s"
          + " LEFT JOIN portcullis_session_attribute a ON a.session_id = s.id WHERE s.id = ? AND "
          + LIVE;

  private static final String DELETE_IF_DEAD =
      "DELETE FROM portcullis_session WHERE id = ? AND NOT " + LIVE;
  private static final String INSERT =
      "INSERT INTO portcullis_session (id, created_ms, accessed_ms, expires_ms, user_hash, user_handle)"
          + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
  private static final String TOUCH = "UPDATE portcullis_session SET accessed_ms = ?, expires_ms = "
      + EXPIRES + " WHERE id = ? AND " + LIVE;
  private static final String TOUCH_AND_SET_USER =
      "UPDATE portcullis_session SET accessed_ms = ?, expires_ms = " + EXPIRES
          + ", user_hash = ?, user_handle = ? WHERE id = ? AND " + LIVE;
  private static final String REMOVE_ATTRIBUTES =
      "DELETE FROM portcullis_session_attribute WHERE session_id = ? AND name = ANY (?)";
  private static final String PUT_ATTRIBUTE =
      "INSERT INTO portcullis_session_attribute (session_id, name, value) VALUES (?, ?, ?)"
          + " ON CONFLICT (session_id, name) DO UPDATE SET value = EXCLUDED.value";
  private static final String DELETE =
      "DELETE FROM portcullis_session WHERE id = ? RETURNING " + LIVE;
  /** The new key's row, if any, is dead and deleted by then; a concurrent creation under it fails the update. */
  private static final String MOVE =
      "UPDATE portcullis_session SET id = ?, accessed_ms = ?, expires_ms = " + EXPIRES
          + " WHERE id = ? AND " + LIVE
          + " AND NOT EXISTS (SELECT 1 FROM portcullis_session WHERE id = ?)";

  private static final String FIND_BY_USER =
      "SELECT id FROM portcullis_session" + " WHERE user_hash = ? AND user_handle = ? AND " + LIVE;
  private static final String DELETE_BY_USER = "DELETE FROM portcullis_session"
      + " WHERE user_hash = ? AND user_handle = ? RETURNING " + LIVE;

  private final JdbcCalls db;
  private final long idleMillis;
  private final long absoluteMillis;

  JdbcSessionStore(JdbcCalls db, SessionConfig config) {
    this.db = db;
    this.idleMillis = config.idleTimeout().toMillis();
    this.absoluteMillis = config.absoluteTimeout().toMillis();
  }

  @Override
  public Optional<SessionRecord> load(SessionKey key) {
    byte[] id = id(key);
    long now = db.nowMillis();
    return db.call("load a session", c -> {
      try (PreparedStatement s = db.prepare(c, LOAD)) {
        loadParameters(s, id, now);
        try (ResultSet r = s.executeQuery()) {
          return record(r, now, null);
        }
      }
    });
  }

  @Override
  public Optional<SessionRecord> peek(SessionKey key) {
    byte[] id = id(key);
    long now = db.nowMillis();
    return db.call("peek at a session", c -> {
      try (PreparedStatement s = db.prepare(c, PEEK)) {
        s.setBytes(1, id);
        live(s, 2, now);
        long[] accessed = {now};
        Optional<SessionRecord> found;
        try (ResultSet r = s.executeQuery()) {
          found = record(r, now, null, accessed);
        }
        return found.map(f -> SessionRecord.of(
            f.created(), Instant.ofEpochMilli(accessed[0]), f.userHandle(), f.attributes()));
      }
    });
  }

  /** True: every node with the same PostgreSQL sees the same sessions. */
  @Override
  public boolean sharedBetweenNodes() {
    return true;
  }

  /**
   * The combined lookup when {@code revocations} is the revocation store of the same {@link JdbcStores}: the session
   * read and the revocation check in one statement per authenticated request.
   */
  @Override
  public Optional<SessionAndRevocationLookup> withRevocations(RevocationStore revocations) {
    if (revocations instanceof JdbcRevocationStore inDatabase && inDatabase.sharesWith(db)) {
      return Optional.of(this::loadAndCheckRevocation);
    }
    return Optional.empty();
  }

  private SessionAndRevocationLookup.Result loadAndCheckRevocation(
      SessionKey key, String ticketId, String userHandle, Instant issuedAt) {
    Objects.requireNonNull(ticketId, "ticketId");
    Objects.requireNonNull(userHandle, "userHandle");
    Objects.requireNonNull(issuedAt, "issuedAt");
    byte[] id = id(key);
    long now = db.nowMillis();
    return db.call("load a session and check a revocation", c -> {
      try (PreparedStatement s = db.prepare(c, LOAD_AND_CHECK_REVOCATION)) {
        int next = loadParameters(s, id, now);
        JdbcRevocationStore.revokedParameters(s, next, ticketId, userHandle, issuedAt, now);
        boolean[] revoked = {false};
        Optional<SessionRecord> session;
        try (ResultSet r = s.executeQuery()) {
          session = record(r, now, revoked);
        }
        if (session.isEmpty()) {
          return SessionAndRevocationLookup.Result.NO_SESSION;
        }
        return new SessionAndRevocationLookup.Result(
            session,
            revoked[0]
                ? SessionAndRevocationLookup.Revocation.REVOKED
                : SessionAndRevocationLookup.Revocation.NOT_REVOKED);
      }
    });
  }

  /** Sets the parameters of {@link #LOAD} (the head of the combined statement too); returns the index after them. */
  private int loadParameters(PreparedStatement s, byte[] id, long now) throws SQLException {
    s.setLong(1, now);
    int next = expires(s, 2, now);
    s.setBytes(next, id);
    return live(s, next + 1, now);
  }

  /**
   * The session from the rows of a load: created, user, then one attribute per row (none: a row of nulls). With
   * {@code revoked}, the fifth column is the revocation answer, the same on every row.
   */
  private static Optional<SessionRecord> record(ResultSet r, long now, boolean[] revoked)
      throws SQLException {
    return record(r, now, revoked, null);
  }

  /** As {@link #record(ResultSet, long, boolean[])}; with {@code accessed}, the fifth column is the last access. */
  private static Optional<SessionRecord> record(
      ResultSet r, long now, boolean[] revoked, long[] accessed) throws SQLException {
    Long created = null;
    String user = null;
    Map<String, Object> attributes = new LinkedHashMap<>();
    boolean ignored = false;
    while (r.next()) {
      created = r.getLong(1);
      user = r.getString(2);
      if (revoked != null) {
        revoked[0] = r.getBoolean(5);
      }
      if (accessed != null) {
        accessed[0] = r.getLong(5);
      }
      String name = r.getString(3);
      if (name == null || ignored) {
        continue;
      }
      if (!(AttributeCodec.decode(r.getBytes(4)) instanceof AttributeCodec.Decoded.Ok ok)
          || !ok.attributes().containsKey(name)) {
        LOG.warn(
            "Portcullis JDBC session store: a stored session attribute does not decode; session ignored");
        ignored = true;
        continue;
      }
      attributes.put(name, ok.attributes().get(name));
    }
    if (created == null || ignored) {
      return Optional.empty();
    }
    return Optional.of(SessionRecord.of(
        Instant.ofEpochMilli(created),
        Instant.ofEpochMilli(now),
        Optional.ofNullable(user),
        attributes));
  }

  @Override
  public boolean save(SessionKey key, SessionChanges changes) {
    Objects.requireNonNull(changes, "changes");
    byte[] id = id(key);
    long now = db.nowMillis();
    return db.transaction("save a session", c -> {
      boolean found = changes.creates() ? insert(c, id, changes, now) : touch(c, id, changes, now);
      if (!found) {
        c.rollback();
        return false;
      }
      if (!changes.removals().isEmpty()) {
        try (PreparedStatement s = db.prepare(c, REMOVE_ATTRIBUTES)) {
          s.setBytes(1, id);
          s.setArray(2, c.createArrayOf("text", changes.removals().toArray()));
          s.executeUpdate();
        }
      }
      if (!changes.puts().isEmpty()) {
        try (PreparedStatement s = db.prepare(c, PUT_ATTRIBUTE)) {
          for (Map.Entry<String, Object> put : changes.puts().entrySet()) {
            s.setBytes(1, id);
            s.setString(2, put.getKey());
            s.setBytes(3, AttributeCodec.encode(Map.of(put.getKey(), put.getValue())));
            s.addBatch();
          }
          s.executeBatch();
        }
      }
      return true;
    });
  }

  /** Creates the session row, replacing a dead one under the same key; false when a live one holds the key. */
  private boolean insert(Connection c, byte[] id, SessionChanges changes, long now)
      throws SQLException {
    try (PreparedStatement s = db.prepare(c, DELETE_IF_DEAD)) {
      s.setBytes(1, id);
      live(s, 2, now);
      s.executeUpdate();
    }
    try (PreparedStatement s = db.prepare(c, INSERT)) {
      String user = changes.userHandleChanged() ? changes.userHandle().orElse(null) : null;
      s.setBytes(1, id);
      s.setLong(2, now);
      s.setLong(3, now);
      s.setLong(4, now + Math.min(idleMillis, absoluteMillis));
      s.setBytes(5, user == null ? null : Hashes.user(user));
      s.setString(6, user);
      return s.executeUpdate() == 1;
    }
  }

  /** Touches a live session row (locking it to the end of the transaction) and applies a change of user. */
  private boolean touch(Connection c, byte[] id, SessionChanges changes, long now)
      throws SQLException {
    boolean setUser = changes.userHandleChanged();
    try (PreparedStatement s = db.prepare(c, setUser ? TOUCH_AND_SET_USER : TOUCH)) {
      s.setLong(1, now);
      int next = expires(s, 2, now);
      if (setUser) {
        String user = changes.userHandle().orElse(null);
        s.setBytes(next++, user == null ? null : Hashes.user(user));
        s.setString(next++, user);
      }
      s.setBytes(next, id);
      live(s, next + 1, now);
      return s.executeUpdate() == 1;
    }
  }

  @Override
  public boolean delete(SessionKey key) {
    byte[] id = id(key);
    long now = db.nowMillis();
    return db.call("delete a session", c -> {
      try (PreparedStatement s = db.prepare(c, DELETE)) {
        s.setBytes(1, id);
        live(s, 2, now);
        try (ResultSet r = s.executeQuery()) {
          return r.next() && r.getBoolean(1);
        }
      }
    });
  }

  @Override
  public boolean rotate(SessionKey from, SessionKey to) {
    byte[] fromId = id(from);
    byte[] toId = id(to);
    long now = db.nowMillis();
    return db.transaction("rotate a session id", c -> {
      try (PreparedStatement s = db.prepare(c, DELETE_IF_DEAD)) {
        s.setBytes(1, toId);
        live(s, 2, now);
        s.executeUpdate();
      }
      try (PreparedStatement s = db.prepare(c, MOVE)) {
        s.setBytes(1, toId);
        s.setLong(2, now);
        int next = expires(s, 3, now);
        s.setBytes(next, fromId);
        s.setBytes(live(s, next + 1, now), toId);
        if (s.executeUpdate() == 1) {
          return true;
        }
      } catch (SQLException e) {
        if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw e;
        }
        // A session was created under the new key meanwhile: refused, nothing changes.
      }
      c.rollback();
      return false;
    });
  }

  @Override
  public Set<SessionKey> findByUser(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    long now = db.nowMillis();
    return db.call("find a user's sessions", c -> {
      try (PreparedStatement s = db.prepare(c, FIND_BY_USER)) {
        s.setBytes(1, Hashes.user(userHandle));
        s.setString(2, userHandle);
        live(s, 3, now);
        Set<SessionKey> found = new HashSet<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            found.add(SessionKey.fromBytes(r.getBytes(1)));
          }
        }
        return found;
      }
    });
  }

  @Override
  public int deleteByUser(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    long now = db.nowMillis();
    return db.call("delete a user's sessions", c -> {
      try (PreparedStatement s = db.prepare(c, DELETE_BY_USER)) {
        s.setBytes(1, Hashes.user(userHandle));
        s.setString(2, userHandle);
        live(s, 3, now);
        int live = 0;
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            live += r.getBoolean(1) ? 1 : 0;
          }
        }
        return live;
      }
    });
  }

  /** Sets the parameters of {@link #LIVE} from {@code index}; returns the index after them. */
  private int live(PreparedStatement s, int index, long now) throws SQLException {
    s.setLong(index, now);
    s.setLong(index + 1, idleMillis);
    s.setLong(index + 2, now);
    s.setLong(index + 3, absoluteMillis);
    s.setLong(index + 4, now + db.skewMillis());
    return index + 5;
  }

  /** Sets the parameters of {@link #EXPIRES} from {@code index}; returns the index after them. */
  private int expires(PreparedStatement s, int index, long now) throws SQLException {
    s.setLong(index, now);
    s.setLong(index + 1, idleMillis);
    s.setLong(index + 2, absoluteMillis);
    return index + 3;
  }

  private static byte[] id(SessionKey key) {
    return Objects.requireNonNull(key, "key").toBytes();
  }
}
