package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.AttributeCodec;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.testing.MutableClock;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What only the JDBC stores have to get right: the schema, hashed keys at rest, the bounded clean-up, closing. */
@ExtendWith(SharedPostgres.class)
class JdbcStoresTest {
  private static final SessionConfig SESSIONS = SessionConfig.builder()
      .idleTimeout(Duration.ofMinutes(30))
      .absoluteTimeout(Duration.ofHours(8))
      .build();

  private final MutableClock clock = MutableClock.startingAt2026();
  private final HikariDataSource dataSource;

  JdbcStoresTest(PostgresServer server) throws SQLException {
    dataSource = server.freshDataSource();
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  @Test
  void schema_appliedAgain_changesNothingAndKeepsTheRows() {
    try (JdbcStores jdbc = JdbcStores.builder(dataSource, clock).build()) {
      jdbc.revocationStore().revoke("t-1", clock.instant().plus(Duration.ofHours(1)));

      JdbcSchema.apply(dataSource);
      JdbcSchema.apply(dataSource);

      assertThat(jdbc.revocationStore().isRevoked("t-1", "u", clock.instant())).isTrue();
    }
  }

  @Test
  void schemaFile_splitsIntoItsStatements() {
    List<String> statements = JdbcSchema.statements(
        "-- a comment; with a semicolon\n"
            + "CREATE TABLE IF NOT EXISTS a (\n  x int\n);\n\nCREATE INDEX IF NOT EXISTS b ON a (x);\n");
    assertThat(statements)
        .containsExactly(
            "CREATE TABLE IF NOT EXISTS a (\n  x int\n)", "CREATE INDEX IF NOT EXISTS b ON a (x)");
    assertThatThrownBy(() -> JdbcSchema.statements("CREATE TABLE a (x int)\n"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rows_holdHashes_neverTheTicketTokenUserOrIdentity() throws SQLException {
    try (JdbcStores jdbc = JdbcStores.builder(dataSource, clock).build()) {
      Instant later = clock.instant().plus(Duration.ofHours(1));
      jdbc.revocationStore().revoke("ticket-secret", later);
      jdbc.revocationStore().revokeAllIssuedBefore("user-secret", clock.instant(), later);
      jdbc.replayStore().markUsed("token-secret", later);
      jdbc.accountLinkStore().link("https://idp.example", "subject-secret", "user-secret");

      List<String> keys = new ArrayList<>();
      keys.addAll(column("SELECT ticket_hash FROM portcullis_revoked_ticket"));
      keys.addAll(column("SELECT user_hash FROM portcullis_user_cutoff"));
      keys.addAll(column("SELECT token_hash FROM portcullis_used_token"));
      keys.addAll(column("SELECT identity_hash FROM portcullis_account_link"));
      keys.addAll(column("SELECT user_hash FROM portcullis_account_link"));

      assertThat(keys)
          .hasSize(5)
          .allSatisfy(k -> assertThat(k)
              .hasSize(64) // hex of a SHA-256
              .doesNotContain(hex("ticket-secret"))
              .doesNotContain(hex("token-secret"))
              .doesNotContain(hex("user-secret"))
              .doesNotContain(hex("subject-secret")));
    }
  }

  @Test
  void cleanUp_deletesOnlyRowsPastTheirTimeAndTheSkew_atMostABatchPerTable() throws SQLException {
    try (JdbcStores jdbc = JdbcStores.builder(dataSource, clock)
        .cleanUpBatchSize(3)
        .clockSkew(Duration.ofSeconds(30))
        .build()) {
      RevocationStore revocations = jdbc.revocationStore();
      ReplayStore replay = jdbc.replayStore();
      SessionStore sessions = jdbc.sessionStore(SESSIONS);
      for (int i = 0; i < 5; i++) {
        revocations.revoke("short-" + i, clock.instant().plus(Duration.ofMinutes(1)));
        replay.markUsed("short-" + i, clock.instant().plus(Duration.ofMinutes(1)));
      }
      revocations.revoke("long", clock.instant().plus(Duration.ofHours(1)));
      SessionKey session = newSession(sessions);
      assertThat(count("portcullis_session_attribute")).isEqualTo(1);
      AccountLinkStore links = jdbc.accountLinkStore();
      links.link("https://idp.example", "sub", "u-alice");

      clock.advance(Duration.ofMinutes(1).plusSeconds(29));
      assertThat(jdbc.cleanUp()).as("within the skew").isZero();

      clock.advance(Duration.ofSeconds(1));
      assertThat(jdbc.cleanUp()).as("one batch from each of two tables").isEqualTo(6);
      assertThat(jdbc.cleanUp()).isEqualTo(4);
      assertThat(jdbc.cleanUp()).isZero();
      assertThat(count("portcullis_revoked_ticket")).isEqualTo(1);
      assertThat(revocations.isRevoked("long", "u", clock.instant())).isTrue();
      assertThat(count("portcullis_session")).isEqualTo(1);

      clock.advance(Duration.ofMinutes(30));
      assertThat(sessions.load(session))
          .as("expired by the clock, before any clean-up")
          .isEmpty();
      assertThat(jdbc.cleanUp()).isEqualTo(1);
      assertThat(count("portcullis_session")).isZero();
      assertThat(count("portcullis_session_attribute"))
          .as("deleted with their session")
          .isZero();
      assertThat(links.userFor("https://idp.example", "sub"))
          .as("links never expire")
          .contains("u-alice");
    }
  }

  @Test
  void attributes_areStoredOneByOneInAttributeCodecForm_andOneThatDoesNotDecodeHidesTheSession()
      throws SQLException {
    try (JdbcStores jdbc = JdbcStores.builder(dataSource, clock).build()) {
      SessionStore sessions = jdbc.sessionStore(SESSIONS);
      SessionKey key = newSession(sessions);
      byte[] stored;
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT value FROM portcullis_session_attribute")) {
        assertThat(r.next()).isTrue();
        stored = r.getBytes(1);
      }
      assertThat(AttributeCodec.decode(stored))
          .isEqualTo(AttributeCodec.decode(AttributeCodec.encode(Map.of("theme", "dark"))));

      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE portcullis_session_attribute SET value = '\\xaced0005'");
      }

      assertThat(sessions.load(key)).isEmpty();
    }
  }

  @Test
  void usedToken_staysUsedThroughTheSkew_andMayBeUsedAgainOnlyAfterIt() {
    try (JdbcStores jdbc =
        JdbcStores.builder(dataSource, clock).clockSkew(Duration.ofSeconds(30)).build()) {
      ReplayStore replay = jdbc.replayStore();
      Instant keep = clock.instant().plus(Duration.ofMinutes(1));
      assertThat(replay.markUsed("tok", keep)).isTrue();

      clock.advance(Duration.ofMinutes(1).plusSeconds(29));
      assertThat(replay.markUsed("tok", clock.instant().plus(Duration.ofMinutes(1))))
          .isFalse();

      clock.advance(Duration.ofSeconds(1));
      assertThat(replay.markUsed("tok", clock.instant().plus(Duration.ofMinutes(1))))
          .as("the old row is past its time and the skew: taken over")
          .isTrue();
      assertThat(replay.markUsed("tok", clock.instant().plus(Duration.ofMinutes(1))))
          .isFalse();
      assertThat(replay.markUsed("late", clock.instant().minus(Duration.ofSeconds(31))))
          .as("a token every node already lets go")
          .isFalse();
    }
  }

  @Test
  void scheduledCleanUp_runsOnItsOwnThread_untilClosed() throws Exception {
    JdbcStores jdbc = JdbcStores.builder(dataSource, clock)
        .cleanUpEvery(Duration.ofSeconds(1))
        .build();
    try {
      jdbc.replayStore().markUsed("tok", clock.instant().plus(Duration.ofMinutes(1)));
      clock.advance(Duration.ofMinutes(2));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (count("portcullis_used_token") != 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(count("portcullis_used_token")).isZero();
    } finally {
      jdbc.close();
    }
    // The executor counts as terminated just before its thread has finished exiting: give it a
    // bounded moment. A thread that close() did not stop waits for work forever and is still alive
    // afterwards.
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("portcullis-jdbc-clean-up")) {
        t.join(Duration.ofSeconds(10).toMillis());
      }
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("portcullis-jdbc-clean-up") && t.isAlive());
  }

  @Test
  void closedStores_failClosed() {
    JdbcStores jdbc = JdbcStores.builder(dataSource, clock).build();
    RevocationStore revocations = jdbc.revocationStore();
    jdbc.close();
    jdbc.close();

    assertThatThrownBy(() -> revocations.isRevoked("t", "u", clock.instant()))
        .isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void builder_refusesSettingsOutOfRange() {
    assertThatThrownBy(() ->
            JdbcStores.builder(dataSource, clock).queryTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcStores.builder(dataSource, clock)
            .queryTimeout(Duration.ofMinutes(1))
            .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcStores.builder(dataSource, clock)
            .queryTimeout(Duration.ofSeconds(3))
            .networkTimeout(Duration.ofSeconds(2))
            .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcStores.builder(dataSource, clock)
            .networkTimeout(Duration.ofMinutes(2))
            .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcStores.builder(dataSource, clock)
            .clockSkew(Duration.ofSeconds(-1))
            .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> JdbcStores.builder(dataSource, clock).cleanUpBatchSize(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcStores.builder(dataSource, clock)
            .cleanUpEvery(Duration.ofMillis(10))
            .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A session with one attribute, made through the registry as a request would; its key. */
  private SessionKey newSession(SessionStore sessions) {
    SessionRegistry registry = SessionRegistry.create(
        SESSIONS, sessions, new SecureRandom(), clock, SessionListener.noop());
    Session session = registry.create();
    session.setAttribute("theme", "dark");
    assertThat(registry.save(session)).isTrue();
    return session.id().storeKey();
  }

  private List<String> column(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(java.util.HexFormat.of().formatHex(r.getBytes(1)));
      }
    }
    return out;
  }

  private long count(String table) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static String hex(String s) {
    return java.util.HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
