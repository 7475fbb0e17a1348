package dev.portcullis.jdbc;

import dev.portcullis.user.PasswordHasher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * An application's own users' table ({@code name, handle, password, email, display_name, organisation,
 * accepted_terms}) and roles' table ({@code handle, role}), as the tests that read users with {@link
 * JdbcUserDirectory} lay them out.
 */
record UserTables(String users, String roles) {
  /**
   * Adds {@code name} with {@code password} hashed by {@code hasher}: handle {@code u-name}, organisation {@code
   * riverside}, terms {@code t1}, role {@code PROVIDER}.
   */
  void add(Connection c, PasswordHasher hasher, String name, String password) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO " + users + " VALUES (?, ?, ?, ?, ?, 'riverside', 't1')")) {
      s.setString(1, name);
      s.setString(2, "u-" + name);
      s.setString(3, hasher.hash(password.toCharArray()));
      s.setString(4, name + "@example.org");
      s.setString(5, "Name of " + name);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO " + roles + " VALUES (?, 'PROVIDER')")) {
      s.setString(1, "u-" + name);
      s.executeUpdate();
    }
  }
}
