package dev.portcullis.jdbc;

import dev.portcullis.revocation.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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

  private JdbcSchema() {}

  /**
   * Creates the tables and indexes that do not exist yet, in one transaction.
   *
   * @throws StoreUnavailableException when the database cannot be reached or refuses a statement (for example for
   *     lack of the CREATE privilege)
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
        for (String sql : statements) {
          s.execute(sql);
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new StoreUnavailableException(
          "cannot apply the Portcullis schema (SQLState " + e.getSQLState() + ")", e);
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
