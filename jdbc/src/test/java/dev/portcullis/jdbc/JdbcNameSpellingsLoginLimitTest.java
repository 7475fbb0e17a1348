package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.testing.CountingUserDirectory;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.user.PasswordHasher;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Regression, weakness "spelling variants of one account each got a login limit of their own": the limit counted an
 * account by the username as typed, lower-cased, while the directory decides which account a name means. Here the
 * users' table matches names as SQL Server's default collations do (the home of the ASP.NET Membership tables): the
 * name column has a nondeterministic, case- and width-insensitive ICU collation, and the statement trims trailing
 * spaces from the name typed. Every spelling it matched got a budget of its own, through the real filter on Jetty
 * with the budgets and the users in PostgreSQL, so the account's limit was multiplied by the number of spellings.
 */
@ExtendWith(SharedPostgres.class)
class JdbcNameSpellingsLoginLimitTest {
  private static final int LIMIT = 3;
  private static final String LOCKED = "/login?error=1";

  /** Spellings that find alice's row here, none equal to {@code alice} once lower-cased. */
  private static final List<String> SPELLINGS = List.of(
      "alice ",
      "Alice   ",
      "\uFF41\uFF4C\uFF49\uFF43\uFF45", // full-width
      "\uFF21\uFF2C\uFF29\uFF23\uFF25",
      "a\uFF4Ci\uFF43e",
      "ali\u200Bce", // a zero-width space, which the collation ignores
      "\uFF41lice ");

  private static final UserTables MEMBERS = new UserTables("members", "member_roles");

  private static final String USER_COLUMNS = "SELECT handle, password, '' AS password_salt,"
      + " 0 AS password_format, true AS approved, false AS locked_out, email, display_name,"
      + " organisation, accepted_terms FROM members";

  private final SecureRandom random = new SecureRandom();
  private final PasswordHasher hasher = PasswordHasher.forTests();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RecordingAuditSink audited = new RecordingAuditSink();
  private final HikariDataSource pool;
  private final JdbcStores stores;
  private final CountingUserDirectory users;
  private final AuditLog audit;
  private final PortalNode node;

  JdbcNameSpellingsLoginLimitTest(PostgresServer server) throws Exception {
    pool = server.freshDataSource();
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      // Case- and width-insensitive (both tertiary differences) but accent-sensitive, as SQL
      // Server's default _CI_AS collations are; they also ignore trailing spaces (the rtrim below).
      s.execute("CREATE COLLATION names_ci"
          + " (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
      s.execute("CREATE TABLE members (name text COLLATE names_ci PRIMARY KEY,"
          + " handle text NOT NULL, password text NOT NULL, email text, display_name text,"
          + " organisation text, accepted_terms text)");
      s.execute("CREATE TABLE member_roles (handle text NOT NULL, role text NOT NULL)");
      MEMBERS.add(c, hasher, "alice", "alice-pw");
      MEMBERS.add(c, hasher, "bob", "bob-pw");
    }
    stores = JdbcStores.builder(pool, clock).build();
    users = new CountingUserDirectory(
        JdbcUserDirectory.builder(pool, hasher)
            .userByName(USER_COLUMNS + " WHERE name = rtrim(?)")
            .userByHandle(USER_COLUMNS + " WHERE handle = ?")
            .rolesByHandle("SELECT role FROM member_roles WHERE handle = ?")
            .build(),
        Duration.ZERO);
    audit = AuditLog.builder().clock(clock).random(random).auditSink(audited).build();
    node = JdbcPortalNode.throttled(
            stores, clock, random, audit, limit -> limit.maxFailuresPerAccount(LIMIT))
        .users(users)
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      node.close();
    } finally {
      audit.close();
      stores.close();
      pool.close();
    }
  }

  /** Where the login page sends each spelling's login, in a browser of its own. */
  private Map<String, String> logInAsEach(List<String> spellings, String password)
      throws Exception {
    Map<String, String> answers = new LinkedHashMap<>();
    for (String spelling : spellings) {
      HttpResponse<String> r = PortalNode.postLogin(node.browser(), spelling, password);
      answers.put(
          spelling, r.statusCode() + " " + r.headers().firstValue("Location").orElse(""));
    }
    return answers;
  }

  @Test
  void theDirectory_findsAliceByEverySpelling() throws Exception {
    for (String spelling : SPELLINGS) {
      TestBrowser browser = node.browser();
      PortalNode.login(browser, spelling, "alice-pw");
      assertThat(PortalNode.whoami(browser)).as("logged in as %s", spelling).isEqualTo("u-alice");
    }
    assertThat(logInAsEach(List.of("bob ", "\uFF42\uFF4F\uFF42"), "alice-pw").values())
        .as("alice's password is not bob's, however his name is spelled")
        .containsOnly("303 " + LOCKED);
  }

  @Test
  void accountAtItsLimit_theRightPasswordInAnotherSpelling_isRefusedWithoutACheck()
      throws Exception {
    for (int i = 0; i < LIMIT; i++) {
      assertThat(logInAsEach(List.of("alice"), "guess-" + i)).containsValue("303 " + LOCKED);
    }
    assertThat(users.passwordChecks()).isEqualTo(LIMIT);

    Map<String, String> answers = logInAsEach(SPELLINGS, "alice-pw");

    Map<String, String> refused = new LinkedHashMap<>();
    SPELLINGS.forEach(s -> refused.put(s, "303 " + LOCKED));
    assertThat(answers)
        .as("the right password, in each spelling of a name whose account is at its limit")
        .isEqualTo(refused);
    assertThat(users.passwordChecks())
        .as("password checks: the account's limit, whatever the spelling")
        .isEqualTo(LIMIT);
    assertThat(audit.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(audited.events().stream()
            .filter(e -> e.type() == AuditEventType.AUTHN_LOGIN_LOCK
                && e.outcome() == AuditEvent.Outcome.FAILURE)
            .count())
        .as("each refusal audited as a lock")
        .isEqualTo(SPELLINGS.size());
  }

  @Test
  void wrongGuessesSpreadOverSpellings_getNoMorePasswordChecksThanTheLimit() throws Exception {
    for (int round = 0; round < 2; round++) {
      assertThat(logInAsEach(SPELLINGS, "guess-" + round).values()).containsOnly("303 " + LOCKED);
    }

    assertThat(users.passwordChecks())
        .as(
            "password checks for %d wrong guesses in %d spellings of one name",
            2 * SPELLINGS.size(), SPELLINGS.size())
        .isEqualTo(LIMIT);
    assertThat(logInAsEach(List.of("alice"), "alice-pw"))
        .as("the account is at its limit")
        .containsValue("303 " + LOCKED);
    TestBrowser bob = node.browser();
    PortalNode.login(bob, "bob", "bob-pw");
    assertThat(PortalNode.whoami(bob))
        .as("another account keeps its own budget")
        .isEqualTo("u-bob");
  }
}
