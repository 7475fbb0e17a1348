package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.jdbc.PostgresServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal started with {@code --database-url} on a real PostgreSQL (started by the test): it creates its tables,
 * serves a login over HTTPS with the session kept in the database, and a portal started again on the same database
 * and key ring (as a second node would be) accepts the same cookies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EnabledIf(value = "postgresInstalled", disabledReason = PostgresServer.MISSING)
class PortalOnPostgresTest {
  private static final String AUTH_COOKIE = "__Host-portcullis-auth";
  PostgresServer database;

  static boolean postgresInstalled() {
    return PostgresServer.binaries().isPresent();
  }

  @BeforeAll
  void startDatabase() throws Exception {
    database = PostgresServer.create();
  }

  @AfterAll
  void stopDatabase() throws Exception {
    database.close();
  }

  /** A portal on the test's database, the user from the environment as in production. */
  static RunningPortal onDatabase(PostgresServer database, Path dataDir) throws Exception {
    return onDatabase(database, dataDir, null);
  }

  /** {@link #onDatabase(PostgresServer, Path)} with the legacy cut-over {@code legacy} (null for none). */
  static RunningPortal onDatabase(
      PostgresServer database, Path dataDir, LegacyOptions legacy, String... more)
      throws Exception {
    String[] args = Stream.concat(
            Stream.of(
                "--https-port",
                "0",
                "--http-port",
                "0",
                "--data-dir",
                dataDir.toString(),
                "--database-url",
                database.jdbcUrl("postgres")),
            Stream.of(more))
        .toArray(String[]::new);
    return new RunningPortal(
        PortalOptions.parse(args, Map.of()).withLegacy(legacy),
        Map.of(
            PortalStores.USER_VARIABLE,
            PostgresServer.USER,
            PortalStores.PASSWORD_VARIABLE,
            "not-checked-by-the-test-server"));
  }

  @Test
  void login_keepsTheSessionInPostgres_andASecondStartOnTheSameDatabaseAcceptsTheCookies(
      @TempDir Path dataDir) throws Exception {
    Map<String, String> cookies;
    try (RunningPortal first = onDatabase(database, dataDir)) {
      PortalClient alice = first.client();
      HttpResponse<String> login = alice.loginAs("alice");
      assertThat(login.statusCode()).isEqualTo(303);
      assertThat(login.headers().firstValue("Location")).hasValue("/reports");
      assertThat(alice.get("/reports").statusCode()).isEqualTo(200);
      assertThat(count("portcullis_session")).as("sessions in PostgreSQL").isPositive();
      cookies = Map.copyOf(alice.cookies());
    }

    try (RunningPortal second = onDatabase(database, dataDir)) {
      PortalClient sameBrowser = second.client();
      sameBrowser.cookies().putAll(cookies);
      HttpResponse<String> reports = sameBrowser.get("/reports");
      // The demo users' terms acceptance lives in the first portal's memory: the second one knows
      // alice (session and ticket are in the database) and asks her to accept the terms again.
      assertThat(reports.statusCode()).isEqualTo(303);
      assertThat(reports.headers().firstValue("Location"))
          .as("the session and ticket live in the database, not in the first portal's memory")
          .hasValueSatisfying(l -> assertThat(l).startsWith("/terms"));
      assertThat(second.client().get("/reports").headers().firstValue("Location"))
          .as("without the cookies: sent to log in")
          .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
    }
  }

  @Test
  void legacyCutOver_upgradesEachOldCookieOnce_acrossPortalsOnTheDatabase(@TempDir Path dir)
      throws Exception {
    SecureRandom random = new SecureRandom();
    Path webConfig = LegacyCutOverHttpTest.freshWebConfig(dir, random);
    String cookie = LegacyCutOverHttpTest.oldCookie(
        LegacyCutOverHttpTest.oldPortal(webConfig, random), "carol");
    LegacyOptions legacy = new LegacyOptions(webConfig, Instant.parse("2099-01-01T00:00:00Z"));
    try (RunningPortal first = onDatabase(database, dir.resolve("first"), legacy);
        RunningPortal second = onDatabase(database, dir.resolve("second"), legacy)) {
      PortalClient owner = first.client();
      owner.cookies().put(LegacyCutOverHttpTest.LEGACY_COOKIE, cookie);
      HttpResponse<String> upgraded = owner.get("/reports");
      assertThat(upgraded.headers().firstValue("Location").orElse("")).contains("/terms");
      assertThat(owner.cookies()).containsKey(AUTH_COOKIE);

      PortalClient copy = second.client();
      copy.cookies().put(LegacyCutOverHttpTest.LEGACY_COOKIE, cookie);
      HttpResponse<String> refused = copy.get("/reports");
      assertThat(refused.headers().firstValue("Location").orElse(""))
          .as("the other portal knows from the database that the cookie was upgraded")
          .contains("/login");
      assertThat(copy.cookies()).doesNotContainKey(AUTH_COOKIE);
    }
  }

  /**
   * Single sign-on beside sessions in the database keeps its account links there too: an identity linked through one
   * portal is linked on the other, and once unlinked on the other ("log out everywhere" unlinks all) it is gone from
   * the first as well, rather than still logging in there.
   */
  @Test
  void singleSignOn_onTheDatabase_sharesAccountLinksBetweenPortals(@TempDir Path dir)
      throws Exception {
    try (RunningPortal first = onDatabase(database, dir.resolve("first"), null, "--sso", "dev");
        RunningPortal second = onDatabase(database, dir.resolve("second"), null, "--sso", "dev")) {
      PortalSso firstSso = first.portal.sso();
      PortalSso secondSso = second.portal.sso();
      String issuer = firstSso.issuer().orElseThrow().toString();
      firstSso.config().orElseThrow().links().link(issuer, "sub-alice-pg", "u-1001");

      PortalClient alice = second.client();
      assertThat(alice.loginAs("alice").statusCode()).isEqualTo(303);
      assertThat(alice.get("/account").body())
          .as("the link made through the first portal, seen by the second")
          .contains("sub-alice-pg");
      assertThat(secondSso.config().orElseThrow().links().userFor(issuer, "sub-alice-pg"))
          .hasValue("u-1001");

      assertThat(secondSso.config().orElseThrow().links().unlinkAll("u-1001")).isEqualTo(1);
      assertThat(firstSso.config().orElseThrow().links().userFor(issuer, "sub-alice-pg"))
          .as("unlinked through the second portal, so no longer a way in through the first")
          .isEmpty();
    }
  }

  private long count(String table) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(database.jdbcUrl("postgres"), PostgresServer.USER, "");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
      r.next();
      return r.getLong(1);
    }
  }
}
