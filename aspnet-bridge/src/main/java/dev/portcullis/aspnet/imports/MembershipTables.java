package dev.portcullis.aspnet.imports;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Writes checked users into the ASP.NET Membership tables of one application, on one connection whose transaction
 * the caller owns: {@code aspnet_Users}, {@code aspnet_Membership} (the legacy hash, its salt and format as they
 * were), {@code aspnet_Roles} (roles created when missing), {@code aspnet_UsersInRoles}, and the organisation in
 * {@value UserImport#ORGANISATION_TABLE}. Every value reaches the database as a statement parameter.
 */
final class MembershipTables {
  private final Connection connection;
  private final UUID applicationId;
  private final SecureRandom random;
  private final LocalDateTime now;
  private final Map<String, UUID> roles = new HashMap<>();
  private int rolesCreated;

  private MembershipTables(
      Connection connection, UUID applicationId, SecureRandom random, Instant now) {
    this.connection = connection;
    this.applicationId = applicationId;
    this.random = random;
    this.now = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
  }

  /**
   * The tables of the application named {@code applicationName} ({@code aspnet_Applications}, compared in lower
   * case), or null when there is none.
   */
  static MembershipTables open(
      Connection connection, String applicationName, SecureRandom random, Instant now)
      throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(
        "SELECT CAST(ApplicationId AS varchar(36)) FROM aspnet_Applications"
            + " WHERE LoweredApplicationName = ?")) {
      s.setString(1, applicationName.toLowerCase(Locale.ROOT));
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new MembershipTables(connection, UUID.fromString(rs.getString(1)), random, now);
      }
    }
  }

  /** The problems of users that the database already has, by name or by {@code UserId}. */
  List<UserExport.Problem> existing(List<ExportedUser> users) throws SQLException {
    List<UserExport.Problem> problems = new ArrayList<>();
    try (PreparedStatement byName = connection.prepareStatement(
            "SELECT 1 FROM aspnet_Users WHERE ApplicationId = CAST(? AS uuid)"
                + " AND LoweredUserName = ?");
        PreparedStatement byId = connection.prepareStatement(
            "SELECT 1 FROM aspnet_Users WHERE UserId = CAST(? AS uuid)")) {
      byName.setString(1, applicationId.toString());
      for (ExportedUser user : users) {
        byName.setString(2, user.userName().toLowerCase(Locale.ROOT));
        if (exists(byName)) {
          problems.add(new UserExport.Problem(user.line(), "UserName is already in the database"));
          continue;
        }
        if (user.userId() != null) {
          byId.setString(1, user.userId().toString());
          if (exists(byId)) {
            problems.add(new UserExport.Problem(user.line(), "UserId is already in the database"));
          }
        }
      }
    }
    return problems;
  }

  /** Inserts the users; returns how many. */
  int insert(List<ExportedUser> users) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + UserImport.ORGANISATION_TABLE
          + " (user_handle text PRIMARY KEY, organisation text NOT NULL)");
    }
    try (PreparedStatement user = connection.prepareStatement("INSERT INTO aspnet_Users"
            + " (ApplicationId, UserId, UserName, LoweredUserName, IsAnonymous, LastActivityDate)"
            + " VALUES (CAST(? AS uuid), CAST(? AS uuid), ?, ?, false, ?)");
        PreparedStatement membership = connection.prepareStatement("INSERT INTO aspnet_Membership"
            + " (ApplicationId, UserId, Password, PasswordFormat, PasswordSalt, Email,"
            + " LoweredEmail, IsApproved, IsLockedOut, CreateDate)"
            + " VALUES (CAST(? AS uuid), CAST(? AS uuid), ?, ?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement inRole =
            connection.prepareStatement("INSERT INTO aspnet_UsersInRoles (UserId, RoleId)"
                + " VALUES (CAST(? AS uuid), CAST(? AS uuid))");
        PreparedStatement organisation = connection.prepareStatement("INSERT INTO "
            + UserImport.ORGANISATION_TABLE + " (user_handle, organisation) VALUES (?, ?)")) {
      for (ExportedUser u : users) {
        String id = (u.userId() == null ? randomUuid() : u.userId()).toString();
        user.setString(1, applicationId.toString());
        user.setString(2, id);
        user.setString(3, u.userName());
        user.setString(4, u.userName().toLowerCase(Locale.ROOT));
        user.setObject(5, now);
        user.executeUpdate();
        membership.setString(1, applicationId.toString());
        membership.setString(2, id);
        membership.setString(3, u.passwordHash());
        membership.setInt(4, u.passwordFormat());
        membership.setString(5, u.passwordSalt());
        membership.setString(6, u.email());
        membership.setString(7, u.email().toLowerCase(Locale.ROOT));
        membership.setBoolean(8, u.approved());
        membership.setBoolean(9, u.lockedOut());
        membership.setObject(10, now);
        membership.executeUpdate();
        for (String role : u.roles()) {
          inRole.setString(1, id);
          inRole.setString(2, role(role).toString());
          inRole.executeUpdate();
        }
        if (u.organisation() != null) {
          organisation.setString(1, id);
          organisation.setString(2, u.organisation());
          organisation.executeUpdate();
        }
      }
    }
    return users.size();
  }

  /** How many roles {@link #insert} created. */
  int rolesCreated() {
    return rolesCreated;
  }

  private UUID role(String name) throws SQLException {
    String lowered = name.toLowerCase(Locale.ROOT);
    UUID known = roles.get(lowered);
    if (known != null) {
      return known;
    }
    try (PreparedStatement s =
        connection.prepareStatement("SELECT CAST(RoleId AS varchar(36)) FROM aspnet_Roles"
            + " WHERE ApplicationId = CAST(? AS uuid) AND LoweredRoleName = ?")) {
      s.setString(1, applicationId.toString());
      s.setString(2, lowered);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          UUID id = UUID.fromString(rs.getString(1));
          roles.put(lowered, id);
          return id;
        }
      }
    }
    UUID id = randomUuid();
    try (PreparedStatement s = connection.prepareStatement(
        "INSERT INTO aspnet_Roles (ApplicationId, RoleId, RoleName, LoweredRoleName)"
            + " VALUES (CAST(? AS uuid), CAST(? AS uuid), ?, ?)")) {
      s.setString(1, applicationId.toString());
      s.setString(2, id.toString());
      s.setString(3, name);
      s.setString(4, lowered);
      s.executeUpdate();
    }
    roles.put(lowered, id);
    rolesCreated++;
    return id;
  }

  private static boolean exists(PreparedStatement query) throws SQLException {
    try (ResultSet rs = query.executeQuery()) {
      return rs.next();
    }
  }

  /** A version 4 UUID from the injected random source. */
  private UUID randomUuid() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    ByteBuffer buffer = ByteBuffer.wrap(b);
    return new UUID(buffer.getLong(), buffer.getLong());
  }
}
