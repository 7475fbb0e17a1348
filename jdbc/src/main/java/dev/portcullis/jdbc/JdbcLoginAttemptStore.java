package dev.portcullis.jdbc;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.internal.AttemptWindows;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link LoginAttemptStore} on PostgreSQL: one login limit for every node on the database.
 *
 * <p>A budget is one row of {@code portcullis_login_budget}, keyed by the SHA-256 of the throttle's key, holding the
 * attempt ids with a slot and the times (epoch milliseconds, injected clock) their slots were taken. {@link #reserve}
 * is one short transaction: an {@code INSERT ... ON CONFLICT DO UPDATE} creates or locks the row and returns its
 * slots, the slots that have left the window are dropped, and the new one is added only below the limit; a refusal
 * rolls back and changes nothing. The row stays locked until the transaction ends, so concurrent reservations for one
 * budget, on any node, take turns. {@link #release} locks the row the same way and removes its own slot. A known
 * address is one row of {@code portcullis_known_address} holding the instant it stops being known; the injected clock
 * decides, and {@link JdbcStores#cleanUp()} deletes rows past their time plus the clock skew.
 *
 * <p><b>Security.</b> Of any number of concurrent reservations on any number of nodes, at most {@code limit} hold a
 * slot in one window. Fails closed: when the database does not answer within the query timeout every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}, and the login is refused without a password check.
 * Rows hold SHA-256 hashes of the throttle's keys, which are already keyed hashes: never a username or an address.
 */
final class JdbcLoginAttemptStore implements LoginAttemptStore {
  private static final String LOCK_BUDGET =
      "INSERT INTO portcullis_login_budget AS b (budget_hash, slot_ids, slot_ms, keep_until_ms)"
          + " VALUES (?, '{}', '{}', ?)"
          + " ON CONFLICT (budget_hash) DO UPDATE SET keep_until_ms = b.keep_until_ms"
          + " RETURNING slot_ids, slot_ms, keep_until_ms";
  private static final String LOCK_EXISTING =
      "SELECT slot_ids, slot_ms FROM portcullis_login_budget WHERE budget_hash = ? FOR UPDATE";
  private static final String WRITE_BUDGET =
      "UPDATE portcullis_login_budget SET slot_ids = ?, slot_ms = ?, keep_until_ms = ?"
          + " WHERE budget_hash = ?";
  private static final String WRITE_SLOTS =
      "UPDATE portcullis_login_budget SET slot_ids = ?, slot_ms = ? WHERE budget_hash = ?";
  private static final String REMEMBER =
      "INSERT INTO portcullis_known_address (address_hash, known_until_ms, keep_until_ms)"
          + " VALUES (?, ?, ?) ON CONFLICT (address_hash) DO UPDATE"
          + " SET known_until_ms = EXCLUDED.known_until_ms, keep_until_ms = EXCLUDED.keep_until_ms";
  private static final String KNOWN_UNTIL =
      "SELECT known_until_ms FROM portcullis_known_address WHERE address_hash = ?";

  private final JdbcCalls db;

  JdbcLoginAttemptStore(JdbcCalls db) {
    this.db = db;
  }

  @Override
  public boolean reserve(String key, long attemptId, int limit, Duration window) {
    AttemptWindows.checkReservation(key, limit);
    long windowMillis = AttemptWindows.millis(window);
    byte[] budget = budgetHash(key);
    long now = db.nowMillis();
    long keepUntil = now + windowMillis + db.skewMillis();
    return db.transaction("reserve a login attempt", c -> {
      Slots slots;
      long kept;
      try (PreparedStatement s = db.prepare(c, LOCK_BUDGET)) {
        s.setBytes(1, budget);
        s.setLong(2, keepUntil);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          slots = Slots.of(r.getArray(1), r.getArray(2));
          kept = r.getLong(3);
        }
      }
      slots.dropTakenAtOrBefore(now - windowMillis);
      if (slots.size() >= limit || slots.holds(attemptId)) {
        c.rollback();
        return false;
      }
      slots.add(attemptId, now);
      write(c, budget, slots, Math.max(kept, keepUntil));
      return true;
    });
  }

  @Override
  public void release(String key, long attemptId) {
    Objects.requireNonNull(key, "key");
    byte[] budget = budgetHash(key);
    db.transaction("release a login attempt", c -> {
      Slots slots;
      try (PreparedStatement s = db.prepare(c, LOCK_EXISTING)) {
        s.setBytes(1, budget);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            return null;
          }
          slots = Slots.of(r.getArray(1), r.getArray(2));
        }
      }
      if (slots.remove(attemptId)) {
        try (PreparedStatement s = db.prepare(c, WRITE_SLOTS)) {
          s.setArray(1, c.createArrayOf("bigint", slots.ids.toArray()));
          s.setArray(2, c.createArrayOf("bigint", slots.times.toArray()));
          s.setBytes(3, budget);
          s.executeUpdate();
        }
      }
      return null;
    });
  }

  @Override
  public void rememberAddress(String key, Duration keepFor) {
    Objects.requireNonNull(key, "key");
    long keep = AttemptWindows.millis(keepFor);
    byte[] address = addressHash(key);
    long until = db.nowMillis() + keep;
    db.call("remember a known address", c -> {
      try (PreparedStatement s = db.prepare(c, REMEMBER)) {
        s.setBytes(1, address);
        s.setLong(2, until);
        s.setLong(3, until + db.skewMillis());
        return s.executeUpdate();
      }
    });
  }

  /** True: every node with the same PostgreSQL sees the same budgets and known addresses. */
  @Override
  public boolean sharedBetweenNodes() {
    return true;
  }

  @Override
  public boolean isKnownAddress(String key) {
    byte[] address = addressHash(Objects.requireNonNull(key, "key"));
    long now = db.nowMillis();
    return db.call("check a known address", c -> {
      try (PreparedStatement s = db.prepare(c, KNOWN_UNTIL)) {
        s.setBytes(1, address);
        try (ResultSet r = s.executeQuery()) {
          return r.next() && now < r.getLong(1);
        }
      }
    });
  }

  private void write(Connection c, byte[] budget, Slots slots, long keepUntil) throws SQLException {
    try (PreparedStatement s = db.prepare(c, WRITE_BUDGET)) {
      s.setArray(1, c.createArrayOf("bigint", slots.ids.toArray()));
      s.setArray(2, c.createArrayOf("bigint", slots.times.toArray()));
      s.setLong(3, keepUntil);
      s.setBytes(4, budget);
      s.executeUpdate();
    }
  }

  /** The stored form of a budget's key; the label is the Redis store's. */
  static byte[] budgetHash(String key) {
    return Hashes.hash("login-budget", key);
  }

  /** The stored form of a known address's key; the label is the Redis store's. */
  static byte[] addressHash(String key) {
    return Hashes.hash("known-address", key);
  }

  /** The slots of one budget as read from its locked row: attempt ids and the times they were taken, in step. */
  private static final class Slots {
    final List<Long> ids;
    final List<Long> times;

    private Slots(List<Long> ids, List<Long> times) {
      this.ids = ids;
      this.times = times;
    }

    static Slots of(Array ids, Array times) throws SQLException {
      List<Long> i = longs(ids);
      List<Long> t = longs(times);
      if (i.size() != t.size()) {
        // Not written by this store: fail closed (the login is refused) rather than read it as
        // empty.
        throw new SQLException("login budget row is inconsistent", "22000");
      }
      return new Slots(i, t);
    }

    private static List<Long> longs(Array array) throws SQLException {
      List<Long> out = new ArrayList<>();
      if (array == null) {
        return out;
      }
      for (Object o : (Object[]) array.getArray()) {
        out.add(((Number) o).longValue());
      }
      return out;
    }

    int size() {
      return ids.size();
    }

    boolean holds(long attemptId) {
      return ids.contains(attemptId);
    }

    void dropTakenAtOrBefore(long cutOff) {
      for (int k = ids.size() - 1; k >= 0; k--) {
        if (times.get(k) <= cutOff) {
          ids.remove(k);
          times.remove(k);
        }
      }
    }

    void add(long attemptId, long takenAt) {
      ids.add(attemptId);
      times.add(takenAt);
    }

    boolean remove(long attemptId) {
      int k = ids.indexOf(attemptId);
      if (k < 0) {
        return false;
      }
      ids.remove(k);
      times.remove(k);
      return true;
    }
  }
}
