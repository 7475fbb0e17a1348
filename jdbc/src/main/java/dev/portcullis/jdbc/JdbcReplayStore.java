package dev.portcullis.jdbc;

import dev.portcullis.sso.ReplayStore;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Objects;

/**
 * {@link ReplayStore} on PostgreSQL: one {@code INSERT ... ON CONFLICT} per redemption, so of any number of concurrent
 * redemptions on any number of nodes exactly one wins. A row counts until its {@code keepUntil} plus the configured
 * clock skew (as long as the Redis store keeps its key); a row past that is taken over by the next redemption of the
 * same id, in the same statement, and otherwise deleted by the clean-up.
 *
 * <p><b>Security.</b> Fails closed: when the database does not answer in time, {@link #markUsed} throws
 * {@link dev.portcullis.revocation.StoreUnavailableException} and the redemption fails. A token whose {@code keepUntil}
 * lies more than the clock skew in the past is refused (false) without asking the database. Rows are keyed by hashes,
 * never a raw token id.
 */
final class JdbcReplayStore implements ReplayStore {
  private static final String MARK =
      "INSERT INTO portcullis_used_token AS t (token_hash, keep_until_ms) VALUES (?, ?)"
          + " ON CONFLICT (token_hash) DO UPDATE SET keep_until_ms = EXCLUDED.keep_until_ms"
          + " WHERE t.keep_until_ms <= ?";
  private static final String GIVE_BACK = "DELETE FROM portcullis_used_token WHERE token_hash = ?";

  private final JdbcCalls db;

  JdbcReplayStore(JdbcCalls db) {
    this.db = db;
  }

  @Override
  public boolean markUsed(String tokenId, Instant keepUntil) {
    Objects.requireNonNull(tokenId, "tokenId");
    if (db.goneEverywhere(keepUntil)) {
      return false;
    }
    byte[] hash = Hashes.token(tokenId);
    long keep = db.ceilMillis(keepUntil);
    long deadBefore = db.nowMillis() - db.skewMillis();
    return db.call("mark a token used", c -> {
      try (PreparedStatement s = db.prepare(c, MARK)) {
        s.setBytes(1, hash);
        s.setLong(2, keep);
        s.setLong(3, deadBefore);
        return s.executeUpdate() == 1;
      }
    });
  }

  /** Deletes the id's row, after which the next redemption's insert wins. */
  @Override
  public boolean giveBack(String tokenId) {
    Objects.requireNonNull(tokenId, "tokenId");
    byte[] hash = Hashes.token(tokenId);
    db.call("give back a token's mark", c -> {
      try (PreparedStatement s = db.prepare(c, GIVE_BACK)) {
        s.setBytes(1, hash);
        return s.executeUpdate();
      }
    });
    return true;
  }

  /** True: every node on the same database sees the same marks. */
  @Override
  public boolean sharedBetweenNodes() {
    return true;
  }
}
