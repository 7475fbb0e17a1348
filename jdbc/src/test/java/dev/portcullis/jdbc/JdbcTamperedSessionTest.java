package dev.portcullis.jdbc;

import static dev.portcullis.servlet.testing.PortalNode.login;
import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestBrowser;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A session row in PostgreSQL that another writer changed (another version of Portcullis, or anyone with write access
 * to the schema), read back through the filter on a real Jetty: the request is anonymous, and nobody else's session
 * changes.
 */
@ExtendWith(SharedPostgres.class)
class JdbcTamperedSessionTest {
  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final HikariDataSource pool;
  private final PortalNode node;

  JdbcTamperedSessionTest(PostgresServer server) throws Exception {
    pool = server.freshDataSource();
    node = JdbcPortalNode.start(pool, clock, random);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    pool.close();
  }

  @Test
  void
      sessionWhoseStoredCreationTimeLiesInTheFuture_isAnonymous_andDoesNotOutliveTheAbsoluteTimeout()
          throws Exception {
    TestBrowser alice = node.browser();
    login(alice, "alice", "alice-pw");
    Map<String, String> aliceCookies = new LinkedHashMap<>(alice.cookies());
    TestBrowser bob = node.browser();
    login(bob, "bob", "bob-pw");
    assertThat(whoami(alice)).isEqualTo("u-alice");
    // A year ahead: the absolute timeout would not end this session for a year.
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(
            "UPDATE portcullis_session SET created_ms = created_ms + ? WHERE user_handle = ?")) {
      s.setLong(1, Duration.ofDays(365).toMillis());
      s.setString(2, "u-alice");
      assertThat(s.executeUpdate()).isEqualTo(1);
    }

    assertThat(whoami(node.browser(aliceCookies))).isEqualTo("anonymous");
    assertThat(whoami(bob)).as("another user's session is untouched").isEqualTo("u-bob");
  }
}
