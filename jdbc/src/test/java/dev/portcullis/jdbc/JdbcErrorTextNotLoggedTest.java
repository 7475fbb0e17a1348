package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.testing.MutableClock;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A PostgreSQL that refuses the stores' writes with an error whose text quotes the statement's values (a constraint a
 * DBA added, as here, or a batch the server aborts):  PostgreSQL's driver can put the bound values of a batch entry and
 * the server's "Failing row contains (...)" detail into the exception's message. Through the filter on a real Jetty,
 * the request fails closed and the log names the operation, the exception's class and the SQLState, never that text:
 * it holds the session's store key and the user's handle.
 */
@ExtendWith(SharedPostgres.class)
class JdbcErrorTextNotLoggedTest {
  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final HikariDataSource pool;
  private final PortalNode node;

  JdbcErrorTextNotLoggedTest(PostgresServer server) throws Exception {
    pool = server.freshDataSource();
    node = JdbcPortalNode.start(pool, clock, random);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    pool.close();
  }

  @Test
  void sessionWriteRefusedByTheDatabase_logsNeitherTheRowNorTheStatementValues() throws Exception {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE portcullis_session ADD CONSTRAINT refuses_rows"
          + " CHECK (user_handle IS NULL OR user_handle <> 'u-alice') NOT VALID");
    }
    Path logFile = Path.of("target/jdbc-tests.log");
    long before = Files.exists(logFile) ? Files.size(logFile) : 0;

    HttpResponse<String> answer = PortalNode.postLogin(node.browser(), "alice", "alice-pw");

    byte[] all = Files.readAllBytes(logFile);
    String logged =
        new String(all, (int) before, all.length - (int) before, StandardCharsets.UTF_8);
    assertThat(answer.statusCode()).as("the login fails closed").isEqualTo(503);
    assertThat(logged)
        .as("the driver's message: the row, with the session's store key and the user")
        .doesNotContain("Failing row")
        .doesNotContain("u-alice")
        .doesNotContain("\\x");
    assertThat(logged)
        .as("the refusal is logged, by its SQLState, with the stack trace of its cause")
        .contains("could not save a session (PSQLException, SQLState 23514)")
        .contains("session store failed on save")
        .contains(
            "Caused by: java.sql.SQLException: org.postgresql.util.PSQLException, SQLState 23514");
    assertThat(answer.body().strip()).isEqualTo("Service unavailable. Please try again later.");
  }
}
