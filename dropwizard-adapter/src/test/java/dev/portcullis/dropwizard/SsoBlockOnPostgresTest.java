package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.jdbc.PostgresServer;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes with the same {@code portcullis.sso} and {@code portcullis.jdbc} blocks, each with a pool of its own on
 * one real PostgreSQL: the block keeps account links and redeemed tokens in the database (with in-memory ones beside
 * the shared sessions the start would stop), so an identity linked through one node logs in through the other.
 * Skipped, saying why, where PostgreSQL is not installed.
 */
@ExtendWith(OnePostgres.class)
class SsoBlockOnPostgresTest {
  private static LoopbackOpenIdProvider provider;
  private static final List<HikariDataSource> pools = new ArrayList<>();
  private static final List<DropwizardTestSupport<PortalApp.Config>> nodes = new ArrayList<>();

  /** Starts on the test run's server ({@link OnePostgres} stops it when the run ends). */
  @BeforeAll
  static void start(PostgresServer postgres) throws Exception {
    provider = new LoopbackOpenIdProvider();
    HikariDataSource poolA = postgres.freshDataSource();
    pools.add(poolA);
    pools.add(new HikariDataSource(poolA));
    for (HikariDataSource pool : pools) {
      nodes.add(SsoBlockTest.ssoApp(provider.issuer, pool, JdbcBlockTwoNodesTest.jdbcBlock()));
    }
  }

  /**
   * Stops the nodes in the reverse order of their start, each restoring the system properties it replaced; then the
   * pools and the provider.
   */
  @AfterAll
  static void stop() throws Exception {
    try {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).after();
      }
      pools.forEach(HikariDataSource::close);
    } finally {
      if (provider != null) {
        provider.close();
      }
    }
  }

  private static String base(int node) {
    return "http://127.0.0.1:" + nodes.get(node).getLocalPort();
  }

  private static long accountLinks() throws Exception {
    try (Connection c = pools.get(0).getConnection();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT count(*) FROM portcullis_account_link")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void anIdentityLinkedThroughOneNode_logsInThroughTheOther() throws Exception {
    String nodeA = base(0);
    String nodeB = base(1);

    TestBrowser onA = new TestBrowser(nodeA);
    assertThat(SsoBlockTest.logIn(onA, "alice").statusCode()).isEqualTo(303);
    HttpResponse<String> upgrade =
        onA.post("/sso/upgrade", Map.of("_csrf", SsoBlockTest.pageCsrf(onA)));
    String callback = provider.callbackFrom(provider.authorizeUrl(upgrade), "sub-alice", nodeA);
    assertThat(onA.get(callback).statusCode()).isEqualTo(303);
    String formCsrf = TestBrowser.csrfToken(
            SsoBlockTest.FORM_CSRF, onA.get("/sso/link").body())
        .orElseThrow();
    assertThat(onA.post("/sso/link", Map.of("_csrf", formCsrf, "decision", "confirm"))
            .statusCode())
        .isEqualTo(303);
    assertThat(accountLinks()).as("the link is a row in PostgreSQL").isEqualTo(1);

    TestBrowser onB = new TestBrowser(nodeB);
    String loginCsrf =
        TestBrowser.csrfToken(SsoBlockTest.FORM_CSRF, onB.get("/login").body()).orElseThrow();
    HttpResponse<String> ssoLogin = onB.post("/sso/login", Map.of("_csrf", loginCsrf));
    String back = provider.callbackFrom(provider.authorizeUrl(ssoLogin), "sub-alice", nodeB);
    assertThat(onB.get(back).statusCode()).isEqualTo(303);
    assertThat(SsoBlockTest.whoami(onB))
        .as("node B found the link node A made, in PostgreSQL")
        .isEqualTo("u-alice");
  }
}
