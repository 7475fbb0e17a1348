package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.jdbc.PostgresServer;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter with {@code portcullis.jdbc.enabled=true} on the application's own {@code DataSource}: a real
 * PostgreSQL started by the test (the jdbc module's test server), the schema applied at start-up by the starter, and a
 * login, a page and a logout over HTTP on embedded Tomcat, with the session and the login limit's budget kept in the
 * database.
 */
@EnabledIf(value = "postgresInstalled", disabledReason = PostgresServer.MISSING)
@SpringBootTest(
    classes = {TestPortal.class, JdbcPortalOverHttpTest.Database.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.jdbc.enabled=true",
      "portcullis.jdbc.apply-schema=true",
      "portcullis.jdbc.query-timeout=1s"
    })
class JdbcPortalOverHttpTest {
  private static final String SID = SessionConfig.DEFAULT_COOKIE_NAME;
  private static final String AUTH = LoginCookies.DEFAULT_AUTH_COOKIE;

  static boolean postgresInstalled() {
    return PostgresServer.binaries().isPresent();
  }

  /** The application's DataSource: a HikariCP pool on a PostgreSQL of the test's own. */
  @Configuration(proxyBeanMethods = false)
  static class Database {
    @Bean(destroyMethod = "close")
    PostgresServer postgres() throws Exception {
      return PostgresServer.create();
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(PostgresServer server) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(server.jdbcUrl("postgres"));
      config.setUsername(PostgresServer.USER);
      config.setMaximumPoolSize(4);
      config.setConnectionTimeout(1_000);
      config.setPoolName("spring-portal");
      return new HikariDataSource(config);
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  DataSource dataSource;

  @Autowired
  SessionStore sessions;

  @Autowired
  JdbcStores stores;

  @Autowired
  LoginThrottle throttle;

  @Test
  void login_keepsTheSessionInPostgres_andLogoutRefusesTheOldCookies() throws Exception {
    assertThat(sessions.getClass().getSimpleName()).isEqualTo("JdbcSessionStore");
    long sessionsBefore = count("portcullis_session");

    Browser alice = new Browser("http://127.0.0.1:" + port);
    HttpResponse<String> login = alice.login("alice", "alice-pw");
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(alice.cookies()).containsKeys(SID, AUTH);
    assertThat(alice.get("/whoami").body()).startsWith("u-alice csrf=");
    assertThat(count("portcullis_session"))
        .as("the login's session is a row in PostgreSQL")
        .isGreaterThan(sessionsBefore);
    Map<String, String> saved = new LinkedHashMap<>(alice.cookies());

    assertThat(alice.logout().statusCode()).isEqualTo(303);

    Browser replay = new Browser("http://127.0.0.1:" + port);
    replay.cookies().putAll(saved);
    HttpResponse<String> after = replay.get("/whoami");
    assertThat(after.statusCode()).as("the logged-out cookies open nothing").isEqualTo(303);
  }

  @Test
  void wrongPassword_takesASlotInTheDatabaseBudget() throws Exception {
    long budgetsBefore = count("portcullis_login_budget");
    Browser mallory = new Browser("http://127.0.0.1:" + port);
    HttpResponse<String> wrong = mallory.login("carol", "not-carols-password");
    assertThat(wrong.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("/login"));
    assertThat(mallory.cookies()).doesNotContainKey(AUTH);
    assertThat(count("portcullis_login_budget"))
        .as("the login limit keeps its budgets in PostgreSQL, shared by every node")
        .isGreaterThan(budgetsBefore);
  }

  private long count(String table) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
      r.next();
      return r.getLong(1);
    }
  }
}
