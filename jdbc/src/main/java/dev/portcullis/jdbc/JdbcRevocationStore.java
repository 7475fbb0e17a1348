package dev.portcullis.jdbc;

import dev.portcullis.revocation.RevocationStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;

/**
 * {@link RevocationStore} on PostgreSQL, for portals on more than one node.
 *
 * <p>A revoked ticket is a row of {@code portcullis_revoked_ticket} holding the ticket's expiry; a user's cut-off is a
 * row of {@code portcullis_user_cutoff} holding the cut-off and how long it is kept. Expiry is decided by the injected
 * clock against the stored instants; the clean-up deletes a row once its instant lies more than the clock skew in the
 * past. {@link #isRevoked} is one statement; the session store of the same {@link JdbcStores} folds it into its session read
 * (one statement for both per authenticated request).
 *
 * <p><b>Security.</b> Fails closed: when the database does not answer within the query timeout, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}, never "not revoked". Rows are keyed by hashes, never a
 * raw ticket id or user handle.
 */
final class JdbcRevocationStore implements RevocationStore {
  private static final String REVOKE =
      "INSERT INTO portcullis_revoked_ticket AS t (ticket_hash, expires_ms) VALUES (?, ?)"
          + " ON CONFLICT (ticket_hash) DO UPDATE SET expires_ms = GREATEST(t.expires_ms, EXCLUDED.expires_ms)";

  /** Whether the stored cut-off still counts at the parameter and is later than the new one. */
  private static final String STORED_IS_LATER = "(u.keep_until_ms > ?::bigint AND"
      + " (u.cut_off_seconds, u.cut_off_nanos) > (EXCLUDED.cut_off_seconds, EXCLUDED.cut_off_nanos))";

  /**
   * Keeps the later of the stored and the new cut-off and the later keep-until, in one atomic statement; a stored
   * cut-off that no longer counts (its keep-until has passed) is replaced whole.
   */
  private static final String CUT_OFF = "INSERT INTO portcullis_user_cutoff AS u"
      + " (user_hash, cut_off_seconds, cut_off_nanos, keep_until_ms) VALUES (?, ?, ?, ?)"
      + " ON CONFLICT (user_hash) DO UPDATE SET"
      + " cut_off_seconds = CASE WHEN " + STORED_IS_LATER + " THEN u.cut_off_seconds"
      + "   ELSE EXCLUDED.cut_off_seconds END,"
      + " cut_off_nanos = CASE WHEN " + STORED_IS_LATER + " THEN u.cut_off_nanos"
      + "   ELSE EXCLUDED.cut_off_nanos END,"
      + " keep_until_ms = CASE WHEN u.keep_until_ms > ?::bigint"
      + "   THEN GREATEST(u.keep_until_ms, EXCLUDED.keep_until_ms) ELSE EXCLUDED.keep_until_ms END";

  /** Whether a ticket is revoked; its parameters are set by {@link #revokedParameters}. */
  static final String REVOKED = "(EXISTS (SELECT 1 FROM portcullis_revoked_ticket"
      + "   WHERE ticket_hash = ? AND expires_ms > ?)"
      + " OR EXISTS (SELECT 1 FROM portcullis_user_cutoff WHERE user_hash = ? AND keep_until_ms > ?"
      + "   AND (cut_off_seconds, cut_off_nanos) >= (?, ?)))";

  private static final String IS_REVOKED = "SELECT " + REVOKED;

  private final JdbcCalls db;

  JdbcRevocationStore(JdbcCalls db) {
    this.db = db;
  }

  /** Whether this store runs its statements through {@code db}: the same database and settings. */
  boolean sharesWith(JdbcCalls db) {
    return this.db == db;
  }

  /**
   * Sets the parameters of {@link #REVOKED} from {@code index} for the ticket with this id, user and issue time, at
   * {@code nowMillis}; returns the index after them.
   */
  static int revokedParameters(
      PreparedStatement s,
      int index,
      String ticketId,
      String userHandle,
      Instant issuedAt,
      long nowMillis)
      throws SQLException {
    s.setBytes(index, Hashes.ticket(Objects.requireNonNull(ticketId, "ticketId")));
    s.setLong(index + 1, nowMillis);
    s.setBytes(index + 2, Hashes.user(Objects.requireNonNull(userHandle, "userHandle")));
    s.setLong(index + 3, nowMillis);
    s.setLong(index + 4, issuedAt.getEpochSecond());
    s.setInt(index + 5, issuedAt.getNano());
    return index + 6;
  }

  @Override
  public void revoke(String ticketId, Instant expiresAt) {
    Objects.requireNonNull(ticketId, "ticketId");
    if (db.goneEverywhere(expiresAt)) {
      return; // expired on every node already: nothing would ever read it
    }
    byte[] hash = Hashes.ticket(ticketId);
    long expires = db.ceilMillis(expiresAt);
    db.call("revoke a ticket", c -> {
      try (PreparedStatement s = db.prepare(c, REVOKE)) {
        s.setBytes(1, hash);
        s.setLong(2, expires);
        return s.executeUpdate();
      }
    });
  }

  @Override
  public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
    Objects.requireNonNull(userHandle, "userHandle");
    Objects.requireNonNull(cutOff, "cutOff");
    if (db.goneEverywhere(keepUntil)) {
      return;
    }
    byte[] hash = Hashes.user(userHandle);
    long keep = db.ceilMillis(keepUntil);
    long now = db.nowMillis();
    db.call("revoke a user's tickets", c -> {
      try (PreparedStatement s = db.prepare(c, CUT_OFF)) {
        s.setBytes(1, hash);
        s.setLong(2, cutOff.getEpochSecond());
        s.setInt(3, cutOff.getNano());
        s.setLong(4, keep);
        s.setLong(5, now);
        s.setLong(6, now);
        s.setLong(7, now);
        return s.executeUpdate();
      }
    });
  }

  @Override
  public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(ticketId, "ticketId");
    Objects.requireNonNull(userHandle, "userHandle");
    long now = db.nowMillis();
    return db.call("check a revocation", c -> {
      try (PreparedStatement s = db.prepare(c, IS_REVOKED)) {
        revokedParameters(s, 1, ticketId, userHandle, issuedAt, now);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          return r.getBoolean(1);
        }
      }
    });
  }
}
