package dev.portcullis.jdbc;

import static dev.portcullis.servlet.testing.PortalNode.whoami;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.TestBrowser;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an authenticated request costs in PostgreSQL, through the real filter on Jetty with the session and revocation
 * stores of one {@link JdbcStores}: one statement per request, the session read with the revocation check folded in.
 * The stores' {@link DataSource} is wrapped to record every statement they prepare.
 */
@ExtendWith(SharedPostgres.class)
class JdbcRequestRoundTripTest {
  private static final int REQUESTS = 25;

  private final HikariDataSource pool;
  private final List<String> statements = new CopyOnWriteArrayList<>();
  private final JdbcStores stores;
  private final PortalNode node;

  @SuppressForbidden(reason = "the stores run on the real clock here")
  JdbcRequestRoundTripTest(PostgresServer server) throws Exception {
    pool = server.freshDataSource();
    SecureRandom random = new SecureRandom();
    InstantSource clock = InstantSource.system();
    stores = JdbcStores.builder(counting(pool), clock).build();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    node = PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(ring)
        .users(PortalNode.aliceAndBob())
        .clock(clock)
        .random(random)
        .start();
  }

  @AfterEach
  void close() throws Exception {
    node.close();
    stores.close();
    pool.close();
  }

  @Test
  void authenticatedRequests_areOneStatementEach_readingSessionAndRevocationTogether()
      throws Exception {
    TestBrowser browser = loggedInAsAlice();
    // The first requests after the login write the CSRF token once.
    assertThat(whoami(browser)).isEqualTo("u-alice");
    assertThat(whoami(browser)).isEqualTo("u-alice");
    statements.clear();

    for (int i = 0; i < REQUESTS; i++) {
      assertThat(whoami(browser)).isEqualTo("u-alice");
    }

    assertThat(statements)
        .as("one statement per authenticated request")
        .hasSize(REQUESTS)
        .allMatch(sql -> sql.contains("UPDATE portcullis_session")
            && sql.contains("portcullis_revoked_ticket")
            && sql.contains("portcullis_user_cutoff"));
  }

  @Test
  @SuppressForbidden(reason = "the stores run on the real clock here")
  void userRevokedAfterLogin_isAnonymous_withOneLookup_andItsBoundSessionEnds() throws Exception {
    TestBrowser browser = loggedInAsAlice();
    assertThat(whoami(browser)).isEqualTo("u-alice");
    assertThat(whoami(browser)).isEqualTo("u-alice");
    Instant now = Instant.now();
    stores.revocationStore().revokeAllIssuedBefore("u-alice", now, now.plusSeconds(3600));
    statements.clear();

    assertThat(whoami(browser)).isEqualTo("anonymous");

    assertThat(statements)
        .as(
            "one lookup finds the user's cut-off; the session bound to the refused ticket's user ends")
        .hasSize(2);
    assertThat(statements.get(0)).contains("portcullis_user_cutoff");
    assertThat(statements.get(1)).contains("DELETE FROM portcullis_session WHERE id = ?");
  }

  @Test
  void anonymousRequestWithoutCookies_runsNoStatement() throws Exception {
    statements.clear();

    assertThat(whoami(node.browser())).isEqualTo("anonymous");

    assertThat(statements).isEmpty();
  }

  private TestBrowser loggedInAsAlice() throws Exception {
    TestBrowser browser = node.browser();
    HttpResponse<String> r = PortalNode.postLogin(browser, "alice", "alice-pw");
    assertThat(r.statusCode()).isEqualTo(303);
    return browser;
  }

  /** {@code target}, recording the SQL of every statement its connections prepare or run. */
  private DataSource counting(DataSource target) {
    return new DataSource() {
      @Override
      public Connection getConnection() throws SQLException {
        return recording(target.getConnection());
      }

      @Override
      public Connection getConnection(String user, String password) throws SQLException {
        return recording(target.getConnection(user, password));
      }

      @Override
      public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
      }

      @Override
      public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
      }

      @Override
      public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
      }

      @Override
      public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
      }

      @Override
      public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
      }

      @Override
      public <T> T unwrap(Class<T> type) throws SQLException {
        return target.unwrap(type);
      }

      @Override
      public boolean isWrapperFor(Class<?> type) throws SQLException {
        return target.isWrapperFor(type);
      }
    };
  }

  private Connection recording(Connection connection) {
    InvocationHandler handler = (proxy, method, args) -> {
      String name = method.getName();
      if (name.equals("prepareStatement") || name.equals("prepareCall")) {
        statements.add((String) args[0]);
      } else if (name.equals("createStatement")) {
        statements.add("(plain statement)");
      }
      try {
        return method.invoke(connection, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (Connection) Proxy.newProxyInstance(
        Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }
}
