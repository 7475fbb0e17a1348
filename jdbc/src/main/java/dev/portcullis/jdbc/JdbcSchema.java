package dev.portcullis.jdbc;

import dev.portcullis.revocation.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The tables of {@link JdbcStores}, as versioned SQL files shipped in this jar under {@value #LOCATION}, named the way
 * Flyway expects ({@code V1__portcullis.sql}, later versions beside it).
 *
 * <p><b>With Flyway</b> (or another migration tool), let the tool apply them with the application's own migrations:
 * {@code Flyway.configure().dataSource(ds).locations("classpath:db/migration", "classpath:dev/portcullis/jdbc")}, or
 * with Spring Boot {@code spring.flyway.locations=classpath:db/migration,classpath:dev/portcullis/jdbc}. If the
 * application's own versions collide with these, give Portcullis its own history table (a second Flyway with
 * {@code table("portcullis_schema_history")}).
 *
 * <p><b>Without one</b>, {@link #apply(DataSource)} at start-up creates whatever is missing. Every statement is
 * {@code CREATE ... IF NOT EXISTS}, so applying it again, or from several nodes at once (they queue on an advisory
 * lock), changes nothing. It never drops or alters what exists.
 *
 * <p><b>A role without DDL rights.</b> Where a DBA creates the tables from these files and the portal's role may only
 * read and write rows, {@link #apply(DataSource)} sends no DDL when every table and index is already there, and then
 * only checks that the role holds {@code SELECT, INSERT, UPDATE, DELETE} on each table; a missing table or right
 * stops it with a message that names the table and the right, never a row.
 *
 * <p>The tables are created in the connection's current schema ({@code search_path}). PostgreSQL 12 or later.
 */
public final class JdbcSchema {
  /** The classpath folder of the versioned SQL files. */
  public static final String LOCATION = "dev/portcullis/jdbc";

  /** The files, oldest first. */
  private static final List<String> VERSIONS =
      List.of("V1__portcullis.sql", "V2__login_attempts.sql");

  /** Any fixed number: nodes applying the schema at once wait for each other on it. */
  private static final long ADVISORY_LOCK = 0x706f7274L;

  /** What the stores do with the rows of every table: upserts need UPDATE, the clean-up DELETE. */
  private static final List<String> ROW_RIGHTS = List.of("SELECT", "INSERT", "UPDATE", "DELETE");

  private static final Pattern CREATE =
      Pattern.compile("CREATE (TABLE|INDEX) IF NOT EXISTS ([a-z_][a-z0-9_]*)\\s");

  private JdbcSchema() {}

  /**
   * Creates the tables and indexes that do not exist yet in the connection's current schema, in one transaction, and
   * checks that the connection's role may read and write every table. When nothing is missing no DDL is sent, so a
   * role without the {@code CREATE} privilege can call it on a schema a DBA made.
   *
   * @throws StoreUnavailableException when the database cannot be reached or refuses a statement; when a table or
   *     index is missing and the role may not create it; or when the role lacks {@code SELECT}, {@code INSERT},
   *     {@code UPDATE} or {@code DELETE} on a table. The message names the schema, the tables and the rights
   */
  public static void apply(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    List<String> statements = new ArrayList<>();
    for (String version : VERSIONS) {
      statements.addAll(statements(read(version)));
    }
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK + ")");
        String schema = currentSchema(c);
        Set<String> existing = existingRelations(c, schema);
        List<String> missing = new ArrayList<>();
        for (String sql : statements) {
          String name = createdName(sql);
          if (!existing.contains(name)) {
            missing.add(name);
          }
        }
        if (!missing.isEmpty()) {
          requireCreate(c, schema, missing);
          for (String sql : statements) {
            if (missing.contains(createdName(sql))) {
              s.execute(sql);
            }
          }
        }
        requireRowRights(c, schema, statements);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new StoreUnavailableException(
          "cannot apply the Portcullis schema (SQLState " + e.getSQLState() + ")",
          SqlErrors.withoutMessages(e));
    }
  }

  /** The table or index a {@code CREATE ... IF NOT EXISTS name} statement of the shipped files makes. */
  static String createdName(String sql) {
    Matcher m = CREATE.matcher(sql);
    if (!m.lookingAt()) {
      throw new IllegalStateException("not a CREATE TABLE or INDEX IF NOT EXISTS statement");
    }
    return m.group(2);
  }

  private static String currentSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT current_schema()")) {
      String schema = r.next() ? r.getString(1) : null;
      if (schema == null) {
        throw new StoreUnavailableException(
            "cannot apply the Portcullis schema: no schema of the connection's search_path exists",
            null);
      }
      return schema;
    }
  }

  private static Set<String> existingRelations(Connection c, String schema) throws SQLException {
    Set<String> names = new HashSet<>();
    try (PreparedStatement s = c.prepareStatement(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ?")) {
      s.setString(1, schema);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          names.add(r.getString(1));
        }
      }
    }
    return names;
  }

  private static void requireCreate(Connection c, String schema, List<String> missing)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT current_user, has_schema_privilege(current_user, ?, 'CREATE')")) {
      s.setString(1, schema);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        if (!r.getBoolean(2)) {
          throw new StoreUnavailableException(
              "cannot apply the Portcullis schema: " + missing.size()
                  + " table(s) or index(es) missing in schema "
                  + schema + " (" + String.join(", ", missing) + ") and role " + r.getString(1)
                  + " lacks the CREATE privilege on it; have them created from "
                  + String.join(" and ", VERSIONS)
                  + " (in the jar under " + LOCATION + "), or grant CREATE",
              null);
        }
      }
    }
  }

  private static void requireRowRights(Connection c, String schema, List<String> statements)
      throws SQLException {
    List<String> lacking = new ArrayList<>();
    String user = null;
    try (PreparedStatement s =
        c.prepareStatement("SELECT current_user, has_table_privilege(?, ?)")) {
      for (String sql : statements) {
        if (!sql.startsWith("CREATE TABLE")) {
          continue;
        }
        String table = createdName(sql);
        List<String> missing = new ArrayList<>();
        for (String right : ROW_RIGHTS) {
          s.setString(1, schema + "." + table);
          s.setString(2, right);
          try (ResultSet r = s.executeQuery()) {
            r.next();
            user = r.getString(1);
            if (!r.getBoolean(2)) {
              missing.add(right);
            }
          }
        }
        if (!missing.isEmpty()) {
          lacking.add(String.join(", ", missing) + " on " + table);
        }
      }
    }
    if (!lacking.isEmpty()) {
      throw new StoreUnavailableException(
          "the Portcullis stores cannot use schema " + schema + ": role " + user + " lacks "
              + String.join("; ", lacking) + "; grant " + String.join(", ", ROW_RIGHTS)
              + " on every Portcullis table",
          null);
    }
  }

  /** The statements of one file: comments dropped, split at each semicolon that ends a line. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String sql = current.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("schema file ends inside a statement");
    }
    return out;
  }

  private static String read(String file) {
    String path = "/" + LOCATION + "/" + file;
    try (InputStream in = JdbcSchema.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing from the jar: " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
