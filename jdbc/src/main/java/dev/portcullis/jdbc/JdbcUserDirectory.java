package dev.portcullis.jdbc;

import dev.portcullis.aspnet.password.AspNetPasswords;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link UserDirectory} over the application's own user tables through plain JDBC, with a default mapping for the
 * ASP.NET Membership schema ({@code aspnet_Users}, {@code aspnet_Membership}, {@code aspnet_UsersInRoles},
 * {@code aspnet_Roles}) and every statement replaceable.
 *
 * <p><b>Statements.</b> Each one is a whole SQL statement with {@code ?} parameters, set by the builder:
 *
 * <ul>
 *   <li>{@link Builder#userByName} (parameter: the username in lower case, {@link Locale#ROOT}; see "Names" below)
 *       and {@link Builder#userByHandle} (parameter: the handle) return at most one row with the columns
 *       {@code handle}, {@code password}, {@code password_salt}, {@code password_format}, {@code approved},
 *       {@code locked_out}, {@code email}, and optionally {@code display_name}, {@code organisation} and {@code accepted_terms};
 *   <li>{@link Builder#rolesByHandle} (parameter: the handle) returns the role names in its first column;
 *   <li>{@link Builder#displayNameByHandle} and {@link Builder#organisationByHandle} (parameter: the handle), when
 *       set, give the display name and the organisation handle in the first column of their first row, for schemas
 *       that keep them in another table; the user row's column is used otherwise;
 *   <li>{@link Builder#rehash} (parameters: the new hash, the handle, the old hash) replaces a legacy hash; the old
 *       hash in the condition keeps a concurrent change of password from being overwritten;
 *   <li>{@link Builder#termsAcceptance} (parameters: the handle, the terms version) records an acceptance.
 * </ul>
 *
 * <p>The default mapping reads {@code aspnet_Users.UserId} (as text) as the handle, {@code LoweredUserName} as the
 * login name, {@code UserName} as the display name (Membership has no other), no organisation (set {@link
 * Builder#organisationByHandle} or replace the user statements), and terms from {@value #TERMS_TABLE}:
 *
 * <pre>{@code
 * CREATE TABLE portcullis_terms_acceptance (
 *     user_handle text PRIMARY KEY, terms_version text NOT NULL, accepted_at timestamptz NOT NULL DEFAULT now());
 * }</pre>
 *
 * It expects one application per database; with several, add the {@code ApplicationId} condition to the user
 * statements.
 *
 * <p><b>Passwords.</b> A {@code password} starting with {@code $argon2id$} is checked with the directory's {@link
 * PasswordHasher}. Any other value is an ASP.NET hash, checked by the {@link AspNetPasswords} given to {@link
 * Builder#aspNetPasswords} (from the optional {@code portcullis-aspnet} artifact) with the row's {@code
 * password_format} (SqlMembershipProvider's 0 clear, 1 hashed, 2 encrypted) and the provider's {@code
 * hashAlgorithmType}; without one such rows never match. On a match the fresh Argon2id hash is written back by the
 * {@link Builder#rehash} statement (by default {@code Password} = the hash, {@code PasswordSalt} empty, {@code
 * PasswordFormat} 1), so the legacy hash is gone after the user's first login.
 *
 * <p>Approval and lockout: an account that is not approved or is locked out is returned, when its password matches,
 * as disabled ({@link PortalUser#enabled()} false), so that the core login refuses it with that reason in the audit
 * log. Accounts without a name, email or role are returned as they are, for the same reason.
 *
 * <p><b>Names.</b> The statement decides which spellings of a name find a user: an {@code =} under a case- or
 * width-insensitive collation, {@code citext}, {@code rtrim(?)} or a {@code char(n)} column all let several spellings
 * ({@code alice}, {@code alice }, {@code ａｌｉｃｅ}) find one account. The login limit ({@code LoginThrottle}) counts
 * every spelling of a name together, whatever the statement's matching, so that such an account still has one budget
 * of password checks. Do not match with {@code LIKE} or {@code ILIKE}: a {@code %} or {@code _} in a typed name would
 * find other users.
 *
 * <p><b>Timeouts.</b> Two bound how long a login or a request's user lookup waits for the database, as for {@link
 * JdbcStores}:
 * <ul>
 *   <li>the <em>query timeout</em> ({@link Builder#queryTimeout}, default 5 s): each statement is cancelled after it;
 *   <li>the <em>network timeout</em> ({@link Builder#networkTimeout}, default the query timeout plus 1 s): set on
 *       each borrowed connection ({@link java.sql.Connection#setNetworkTimeout}), it ends a call whose database has
 *       stopped answering altogether (where the cancel request of the query timeout gets no answer either), which
 *       would otherwise hold the request's thread until the operating system gives up on the connection.
 * </ul>
 * Waiting for a connection is bounded by the pool's connection timeout, and PostgreSQL's driver waits for the cancel
 * request of a timed-out statement up to its {@code cancelSignalTimeout}: set both near a second (see "Timeouts" in
 * {@link JdbcStores}).
 *
 * <p><b>Security.</b> Statements are prepared, and user input only ever reaches them as parameters. An unknown
 * username costs a dummy check ({@link AspNetPasswords#verifyDummy} when configured, else {@link
 * PasswordHasher#verifyDummy}), so timing does not tell users from non-users. Passwords and hashes are never logged;
 * log lines name the handle only. No connection is held while a password is checked ({@link #authenticate}): a
 * check costs far more than the statements, and a flood of logins must not keep the pool from the requests of users
 * who are logged in. Database failures, timeouts included, throw {@link StoreUnavailableException}, so a login or a
 * request fails closed within a bounded time.
 */
public final class JdbcUserDirectory implements UserDirectory {
  /** The table of the default terms statement. */
  public static final String TERMS_TABLE = "portcullis_terms_acceptance";

  private static final Logger LOG = LoggerFactory.getLogger(JdbcUserDirectory.class);
  private static final String PHC_PREFIX = "$argon2id$";

  private static final String MEMBERSHIP_USER = "SELECT CAST(u.UserId AS text) AS handle,"
      + " m.Password AS password, m.PasswordSalt AS password_salt,"
      + " m.PasswordFormat AS password_format, m.IsApproved AS approved,"
      + " m.IsLockedOut AS locked_out, m.Email AS email, u.UserName AS display_name,"
      + " t.terms_version AS accepted_terms"
      + " FROM aspnet_Users u JOIN aspnet_Membership m ON m.UserId = u.UserId"
      + " LEFT JOIN portcullis_terms_acceptance t ON t.user_handle = CAST(u.UserId AS text)";

  /** The default {@link Builder#userByName} statement. */
  public static final String MEMBERSHIP_USER_BY_NAME =
      MEMBERSHIP_USER + " WHERE u.LoweredUserName = ?";

  /** The default {@link Builder#userByHandle} statement. */
  public static final String MEMBERSHIP_USER_BY_HANDLE =
      MEMBERSHIP_USER + " WHERE CAST(u.UserId AS text) = ?";

  /** The default {@link Builder#rolesByHandle} statement. */
  public static final String MEMBERSHIP_ROLES = "SELECT r.RoleName FROM aspnet_UsersInRoles ur"
      + " JOIN aspnet_Roles r ON r.RoleId = ur.RoleId WHERE CAST(ur.UserId AS text) = ?";

  /** The default {@link Builder#rehash} statement. */
  public static final String MEMBERSHIP_REHASH =
      "UPDATE aspnet_Membership SET Password = ?, PasswordSalt = '', PasswordFormat = 1"
          + " WHERE CAST(UserId AS text) = ? AND Password = ?";

  /** The default {@link Builder#termsAcceptance} statement. */
  public static final String DEFAULT_TERMS = "INSERT INTO portcullis_terms_acceptance"
      + " (user_handle, terms_version) VALUES (?, ?) ON CONFLICT (user_handle)"
      + " DO UPDATE SET terms_version = EXCLUDED.terms_version, accepted_at = now()";

  private record Row(
      String handle,
      String password,
      String salt,
      int format,
      boolean approved,
      boolean lockedOut,
      String email,
      String displayName,
      String organisation,
      String acceptedTerms) {}

  private final DataSource dataSource;
  private final PasswordHasher hasher;
  private final LegacyPasswords legacy;
  private final String userByName;
  private final String userByHandle;
  private final String rolesByHandle;
  private final String displayNameByHandle;
  private final String organisationByHandle;
  private final String rehash;
  private final String termsAcceptance;
  private final int timeoutSeconds;
  private final int networkTimeoutMillis;

  private JdbcUserDirectory(Builder b, Duration networkTimeout) {
    this.dataSource = b.dataSource;
    this.hasher = b.hasher;
    this.legacy = b.legacy;
    this.userByName = b.userByName;
    this.userByHandle = b.userByHandle;
    this.rolesByHandle = b.rolesByHandle;
    this.displayNameByHandle = b.displayNameByHandle;
    this.organisationByHandle = b.organisationByHandle;
    this.rehash = b.rehash;
    this.termsAcceptance = b.termsAcceptance;
    this.timeoutSeconds = (int) Math.max(1, (b.queryTimeout.toMillis() + 999) / 1000);
    this.networkTimeoutMillis = JdbcCalls.networkTimeoutMillis(networkTimeout);
  }

  /**
   * A directory on the ASP.NET Membership tables reached through {@code dataSource}, checking Portcullis hashes with
   * {@code hasher}; the builder replaces any statement.
   */
  public static Builder builder(DataSource dataSource, PasswordHasher hasher) {
    return new Builder(dataSource, hasher);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Three steps, so that no pooled connection is held while the password is checked (a check costs far more than
   * the statements): the user row on one connection, given back; the check; then, on a match only, the legacy hash
   * replaced and the roles read on another.
   */
  @Override
  public Optional<PortalUser> authenticate(String username, char[] password) {
    char[] typed = password == null ? new char[0] : password;
    if (username == null) {
      dummy(typed);
      return Optional.empty();
    }
    Row row;
    try (Connection c = connection()) {
      row = row(c, userByName, username.toLowerCase(Locale.ROOT));
    } catch (SQLException e) {
      throw unavailable("authenticate", e);
    }
    if (row == null || row.password() == null) {
      dummy(typed);
      return Optional.empty();
    }
    Match match = matches(row, typed);
    if (!match.matched()) {
      return Optional.empty();
    }
    try (Connection c = connection()) {
      if (match.freshHash() != null) {
        rehash(c, row, match.freshHash());
      }
      return Optional.of(user(c, row));
    } catch (SQLException e) {
      throw unavailable("authenticate", e);
    }
  }

  @Override
  public Optional<PortalUser> findByHandle(String handle) {
    if (handle == null) {
      return Optional.empty();
    }
    try (Connection c = connection()) {
      Row row = row(c, userByHandle, handle);
      return row == null ? Optional.empty() : Optional.of(user(c, row));
    } catch (SQLException e) {
      throw unavailable("findByHandle", e);
    }
  }

  @Override
  public void recordTermsAcceptance(String handle, String version) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(version, "version");
    try (Connection c = connection();
        PreparedStatement s = prepare(c, termsAcceptance)) {
      s.setString(1, handle);
      s.setString(2, version);
      s.executeUpdate();
    } catch (SQLException e) {
      throw unavailable("recordTermsAcceptance", e);
    }
  }

  private void dummy(char[] password) {
    if (legacy != null) {
      legacy.verifyDummy(password);
    } else {
      hasher.verifyDummy(password);
    }
  }

  /** A password check's outcome: no match, or a match with the Argon2id hash to store instead of a legacy one. */
  private record Match(boolean matched, String freshHash) {
    static final Match NO = new Match(false, null);
    static final Match CURRENT = new Match(true, null);
  }

  /** Checks the password against the row's hash; reads and writes nothing. */
  private Match matches(Row row, char[] password) {
    if (row.password().startsWith(PHC_PREFIX)) {
      return hasher.verify(password, row.password()) ? Match.CURRENT : Match.NO;
    }
    if (legacy == null) {
      LOG.warn(
          "user {}: the stored hash is an ASP.NET hash and no AspNetPasswords is configured;"
              + " login refused",
          row.handle());
      hasher.verifyDummy(password);
      return Match.NO;
    }
    String fresh = legacy.verify(password, row.password(), row.salt(), row.format(), row.handle());
    return fresh == null ? Match.NO : new Match(true, fresh);
  }

  /** Replaces the row's legacy hash with {@code fresh}; the password did match, so a failure only logs. */
  private void rehash(Connection c, Row row, String fresh) {
    try (PreparedStatement s = prepare(c, rehash)) {
      s.setString(1, fresh);
      s.setString(2, row.handle());
      s.setString(3, row.password());
      if (s.executeUpdate() != 1) {
        LOG.warn("user {}: the legacy hash changed during login; not replaced", row.handle());
      }
    } catch (SQLException e) {
      // The legacy hash stays until the next login.
      LOG.warn(
          "user {}: the legacy hash could not be replaced (SQLState {})",
          row.handle(),
          e.getSQLState());
    }
  }

  private PortalUser user(Connection c, Row row) throws SQLException {
    Set<String> roles = new HashSet<>();
    try (PreparedStatement s = prepare(c, rolesByHandle)) {
      s.setString(1, row.handle());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String role = rs.getString(1);
          if (role != null && !role.isBlank()) {
            roles.add(role);
          }
        }
      }
    }
    String displayName = displayNameByHandle == null
        ? row.displayName()
        : single(c, displayNameByHandle, row.handle());
    String organisation = organisationByHandle == null
        ? row.organisation()
        : single(c, organisationByHandle, row.handle());
    return new PortalUser(
        row.handle(),
        displayName,
        row.email(),
        roles,
        organisation,
        row.approved() && !row.lockedOut(),
        row.acceptedTerms());
  }

  private String single(Connection c, String sql, String handle) throws SQLException {
    try (PreparedStatement s = prepare(c, sql)) {
      s.setString(1, handle);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private Row row(Connection c, String sql, String key) throws SQLException {
    try (PreparedStatement s = prepare(c, sql)) {
      s.setString(1, key);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Set<String> columns = columns(rs.getMetaData());
        Row row = new Row(
            rs.getString("handle"),
            rs.getString("password"),
            rs.getString("password_salt"),
            rs.getInt("password_format"),
            rs.getBoolean("approved"),
            rs.getBoolean("locked_out"),
            rs.getString("email"),
            optional(rs, columns, "display_name"),
            optional(rs, columns, "organisation"),
            optional(rs, columns, "accepted_terms"));
        if (rs.next()) {
          throw new SQLException("the user statement returned more than one row", "21000");
        }
        if (row.handle() == null || row.handle().isBlank()) {
          throw new SQLException("the user statement returned no handle", "22004");
        }
        return row;
      }
    }
  }

  private static Set<String> columns(ResultSetMetaData meta) throws SQLException {
    Set<String> names = new HashSet<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      names.add(meta.getColumnLabel(i).toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private static String optional(ResultSet rs, Set<String> columns, String name)
      throws SQLException {
    return columns.contains(name) ? rs.getString(name) : null;
  }

  /** A connection from the data source with the network timeout set. */
  private Connection connection() throws SQLException {
    return JdbcCalls.borrow(dataSource, networkTimeoutMillis);
  }

  private PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    s.setQueryTimeout(timeoutSeconds);
    return s;
  }

  private static StoreUnavailableException unavailable(String operation, SQLException e) {
    return new StoreUnavailableException(
        "user directory " + operation + " failed (SQLState " + e.getSQLState() + ")",
        SqlErrors.withoutMessages(e));
  }

  /** Configures a {@link JdbcUserDirectory}; every statement starts as the ASP.NET Membership default. */
  public static final class Builder {
    private final DataSource dataSource;
    private final PasswordHasher hasher;
    private LegacyPasswords legacy;
    private String userByName = MEMBERSHIP_USER_BY_NAME;
    private String userByHandle = MEMBERSHIP_USER_BY_HANDLE;
    private String rolesByHandle = MEMBERSHIP_ROLES;
    private String displayNameByHandle;
    private String organisationByHandle;
    private String rehash = MEMBERSHIP_REHASH;
    private String termsAcceptance = DEFAULT_TERMS;
    private static final Duration LONGEST_QUERY_TIMEOUT = Duration.ofSeconds(30);
    private Duration queryTimeout = Duration.ofSeconds(5);
    private Duration networkTimeout;

    private Builder(DataSource dataSource, PasswordHasher hasher) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.hasher = Objects.requireNonNull(hasher, "hasher");
    }

    /**
     * Verifies rows that still hold SqlMembershipProvider hashes with {@code passwords} (whose rehash hasher should be
     * this directory's), hashed with the provider's {@code hashAlgorithmType} as written in {@code web.config}
     * ({@code SHA1}, {@code HMACSHA256}, ...).
     *
     * @throws IllegalArgumentException for an algorithm name the membership format does not know
     */
    public Builder aspNetPasswords(AspNetPasswords passwords, String hashAlgorithmType) {
      this.legacy = new LegacyPasswords(passwords, hashAlgorithmType);
      return this;
    }

    /**
     * The statement that finds a user by lower-cased username (see the class comment for its columns). However
     * loosely it matches names, the login limit counts all spellings of a name as one account (see "Names" in the
     * class comment).
     */
    public Builder userByName(String sql) {
      this.userByName = statement(sql, 1);
      return this;
    }

    /** The statement that finds a user by handle, with the columns of {@link #userByName}. */
    public Builder userByHandle(String sql) {
      this.userByHandle = statement(sql, 1);
      return this;
    }

    /** The statement that lists a user's role names (first column) by handle. */
    public Builder rolesByHandle(String sql) {
      this.rolesByHandle = statement(sql, 1);
      return this;
    }

    /** A statement giving the display name (first column) by handle, instead of the user row's column. */
    public Builder displayNameByHandle(String sql) {
      this.displayNameByHandle = statement(sql, 1);
      return this;
    }

    /** A statement giving the organisation handle (first column) by handle, instead of the user row's column. */
    public Builder organisationByHandle(String sql) {
      this.organisationByHandle = statement(sql, 1);
      return this;
    }

    /** The statement that replaces a legacy hash: parameters new hash, handle, old hash. */
    public Builder rehash(String sql) {
      this.rehash = statement(sql, 3);
      return this;
    }

    /** The statement that records a terms acceptance: parameters handle, version. */
    public Builder termsAcceptance(String sql) {
      this.termsAcceptance = statement(sql, 2);
      return this;
    }

    /**
     * How long one statement may run; 5 seconds unless set, at most 30 seconds (as for {@link JdbcStores}: a login
     * waits for it, and a slow database must not hold request threads longer). Rounded up to whole seconds.
     */
    public Builder queryTimeout(Duration queryTimeout) {
      if (queryTimeout.isNegative()
          || queryTimeout.isZero()
          || queryTimeout.compareTo(LONGEST_QUERY_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "queryTimeout must be more than 0 and at most 30 seconds");
      }
      this.queryTimeout = queryTimeout;
      return this;
    }

    /**
     * How long a call waits for any answer from the database on its connection before the call fails closed and the
     * connection is dropped; at least the query timeout (so that a cancelled statement can report back) and at most
     * 60 seconds. Default: the query timeout, in whole seconds, plus one second.
     */
    public Builder networkTimeout(Duration timeout) {
      this.networkTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * The directory. Checks no connection.
     *
     * @throws IllegalArgumentException when the network timeout is out of range
     */
    public JdbcUserDirectory build() {
      return new JdbcUserDirectory(this, JdbcCalls.networkTimeout(networkTimeout, queryTimeout));
    }

    /** Checks the number of {@code ?} placeholders, so a statement built by concatenation stands out early. */
    private static String statement(String sql, int parameters) {
      Objects.requireNonNull(sql, "sql");
      long count = sql.chars().filter(ch -> ch == '?').count();
      if (count != parameters) {
        throw new IllegalArgumentException(
            "the statement must have exactly " + parameters + " '?' parameter(s), found " + count);
      }
      return sql;
    }
  }
}
