package dev.portcullis.jdbc;

import dev.portcullis.sso.AccountLinkStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link AccountLinkStore} on PostgreSQL. An identity is a row of {@code portcullis_account_link} keyed by the hash of
 * (issuer, subject), holding the user handle, its hash and the issuer and subject themselves (so that a user's links
 * can be listed). One row per link, so an identity and its user's links always change together: an identity links to
 * one user only (the primary key), whichever node asks, and {@link #unlinkAll} is one {@code DELETE}.
 *
 * <p>Links do not expire; the clean-up never touches them.
 *
 * <p><b>Security.</b> Fails closed: when the database does not answer in time, every method throws
 * {@link dev.portcullis.revocation.StoreUnavailableException}; no link is assumed or refused on a guess. Rows are keyed
 * by hashes, never a raw issuer, subject or user handle; the row holds the issuer, subject and user handle as values.
 */
final class JdbcAccountLinkStore implements AccountLinkStore {
  private static final String LINK =
      "INSERT INTO portcullis_account_link (identity_hash, user_hash, user_handle, issuer, subject)"
          + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (identity_hash) DO NOTHING";
  private static final String USER_FOR =
      "SELECT user_handle FROM portcullis_account_link WHERE identity_hash = ?";
  private static final String IS_LINKED =
      "SELECT EXISTS (SELECT 1 FROM portcullis_account_link WHERE user_hash = ? AND user_handle = ?)";
  private static final String LINKS_OF = "SELECT issuer, subject FROM portcullis_account_link"
      + " WHERE user_hash = ? AND user_handle = ?";
  private static final String UNLINK =
      "DELETE FROM portcullis_account_link WHERE identity_hash = ? AND user_handle = ?";
  private static final String UNLINK_ALL =
      "DELETE FROM portcullis_account_link WHERE user_hash = ? AND user_handle = ?";

  private final JdbcCalls db;

  JdbcAccountLinkStore(JdbcCalls db) {
    this.db = db;
  }

  @Override
  public LinkResult link(String issuer, String subject, String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    byte[] identity = Hashes.identity(check(issuer), check(subject));
    byte[] user = Hashes.user(userHandle);
    return db.call("link an identity", c -> {
      // The identity is either new (inserted) or held by someone; an unlink between the two
      // statements sends the loop round again.
      while (true) {
        try (PreparedStatement s = db.prepare(c, LINK)) {
          s.setBytes(1, identity);
          s.setBytes(2, user);
          s.setString(3, userHandle);
          s.setString(4, issuer);
          s.setString(5, subject);
          if (s.executeUpdate() == 1) {
            return LinkResult.LINKED;
          }
        }
        Optional<String> holder = userFor(c, identity);
        if (holder.isPresent()) {
          return holder.get().equals(userHandle) ? LinkResult.ALREADY_LINKED : LinkResult.CONFLICT;
        }
      }
    });
  }

  @Override
  public Optional<String> userFor(String issuer, String subject) {
    byte[] identity = Hashes.identity(check(issuer), check(subject));
    return db.call("look up a linked identity", c -> userFor(c, identity));
  }

  private Optional<String> userFor(Connection c, byte[] identity) throws SQLException {
    try (PreparedStatement s = db.prepare(c, USER_FOR)) {
      s.setBytes(1, identity);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    }
  }

  @Override
  public boolean isLinked(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    return db.call("check for a linked identity", c -> {
      try (PreparedStatement s = db.prepare(c, IS_LINKED)) {
        s.setBytes(1, Hashes.user(userHandle));
        s.setString(2, userHandle);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          return r.getBoolean(1);
        }
      }
    });
  }

  @Override
  public List<LinkedIdentity> linksOf(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    return db.call("list a user's linked identities", c -> {
      try (PreparedStatement s = db.prepare(c, LINKS_OF)) {
        s.setBytes(1, Hashes.user(userHandle));
        s.setString(2, userHandle);
        List<LinkedIdentity> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(new LinkedIdentity(r.getString(1), r.getString(2)));
          }
        }
        return List.copyOf(out);
      }
    });
  }

  @Override
  public boolean unlink(String issuer, String subject, String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    byte[] identity = Hashes.identity(check(issuer), check(subject));
    return db.call("unlink an identity", c -> {
      try (PreparedStatement s = db.prepare(c, UNLINK)) {
        s.setBytes(1, identity);
        s.setString(2, userHandle);
        return s.executeUpdate() > 0;
      }
    });
  }

  @Override
  public int unlinkAll(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    return db.call("unlink every identity of a user", c -> {
      try (PreparedStatement s = db.prepare(c, UNLINK_ALL)) {
        s.setBytes(1, Hashes.user(userHandle));
        s.setString(2, userHandle);
        return s.executeUpdate();
      }
    });
  }

  private static String check(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("issuer and subject must be present");
    }
    return s;
  }

  /** True: every node on the same database sees the same links. */
  @Override
  public boolean sharedBetweenNodes() {
    return true;
  }
}
