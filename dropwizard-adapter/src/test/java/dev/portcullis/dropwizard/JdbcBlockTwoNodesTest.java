package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.jdbc.JdbcStores;
import dev.portcullis.jdbc.PostgresServer;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.core.Application;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes of one Dropwizard application, each with the same YAML ({@code portcullis.jdbc}), the same key ring and a
 * pool of its own, handed to {@link PortcullisBundle#dataSource}, on one real PostgreSQL: a login on one node is a
 * login on the other, a logout on either ends it on both; the application's stop stops the stores and leaves the
 * pool open. Skipped, saying why, where PostgreSQL is not installed.
 */
@ExtendWith(OnePostgres.class)
class JdbcBlockTwoNodesTest {

  /**
   * The block, with a patient query timeout: a loaded build machine can hold a statement past the default. New
   * overrides for every node, as each keeps the system property it replaced, to restore it when the node stops.
   */
  static ConfigOverride[] jdbcBlock() {
    return new ConfigOverride[] {
      ConfigOverride.config("portcullis.jdbc.apply-schema", "true"),
      ConfigOverride.config("portcullis.jdbc.query-timeout", "10s")
    };
  }

  private static PostgresServer postgres;

  private final List<DropwizardTestSupport<PortalApp.Config>> nodes = new ArrayList<>();
  private final List<HikariDataSource> pools = new ArrayList<>();

  /** The test run's server ({@link OnePostgres} stops it when the run ends). */
  @BeforeAll
  static void postgres(PostgresServer shared) {
    postgres = shared;
  }

  /** Each test on a schema of its own: node A's pool, and node B's on the same schema. */
  @BeforeEach
  void pools() throws Exception {
    HikariDataSource poolA = postgres.freshDataSource();
    pools.add(poolA);
    pools.add(new HikariDataSource(poolA));
  }

  /**
   * Stops the nodes in the reverse order of their start, each restoring the {@code dw.*} system properties its
   * overrides replaced; then the pools, which the application owns.
   */
  @AfterEach
  void stopNodes() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).after();
    }
    pools.forEach(HikariDataSource::close);
  }

  /** Node {@code index} with the test YAML, the block and its pool; its base URL. */
  private String start(int index) throws Exception {
    DataSource pool = pools.get(index);
    ConfigOverride[] jdbc = jdbcBlock();
    ConfigOverride[] overrides = new ConfigOverride[jdbc.length + 1];
    overrides[0] =
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString());
    System.arraycopy(jdbc, 0, overrides, 1, jdbc.length);
    DropwizardTestSupport<PortalApp.Config> node =
        new DropwizardTestSupport<>(
            PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-app.yml"), overrides) {
          @Override
          public Application<PortalApp.Config> newApplication() {
            PortalApp app = new PortalApp();
            app.bundle.dataSource((configuration, environment) -> pool);
            return app;
          }
        };
    nodes.add(node);
    node.before();
    return "http://127.0.0.1:" + node.getLocalPort();
  }

  /** The rows of one of the stores' tables, read through node A's pool. */
  private long rows(String table) throws Exception {
    try (Connection c = pools.get(0).getConnection();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT count(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void loginOnA_isALoginOnB_andLogoutOnB_endsItOnA() throws Exception {
    String nodeA = start(0);
    String nodeB = start(1);
    long before = rows("portcullis_session");

    TestBrowser onA = new TestBrowser(nodeA);
    assertThat(NodeSteps.logIn(onA, "alice", "alice-pw").headers().firstValue("Location"))
        .hasValue("/");
    assertThat(onA.get("/reports").body()).isEqualTo("reports for u-alice");
    assertThat(rows("portcullis_session"))
        .as("the login's session is a row in PostgreSQL")
        .isGreaterThan(before);
    Map<String, String> saved = new LinkedHashMap<>(onA.cookies());

    TestBrowser onB = onA.on(nodeB);
    assertThat(onB.get("/reports").body())
        .as("node B reads the session and the ticket from PostgreSQL")
        .isEqualTo("reports for u-alice");

    String csrf = NodeSteps.csrfToken(onB).orElseThrow();
    assertThat(onB.post("/logout", Map.of("_csrf", csrf)).statusCode()).isEqualTo(303);

    assertThat(NodeSteps.whoami(NodeSteps.withCookies(nodeA, saved)))
        .as("node A, given the cookies from before the logout on B")
        .isEqualTo("anonymous");
    assertThat(NodeSteps.withCookies(nodeA, saved).get("/reports").statusCode()).isNotEqualTo(200);
  }

  @Test
  void theBlock_offersItsOtherStoresToTheApplication_onTheSameDatabase() throws Exception {
    start(0);
    PortalApp app = (PortalApp) nodes.get(0).getApplication();
    JdbcStores stores = app.bundle.jdbcStores().orElseThrow();
    assertThat(app.bundle.redisStores()).isEmpty();
    assertThat(app.bundle.portcullis().sessionStore().sharedBetweenNodes()).isTrue();
    assertThat(stores.replayStore().sharedBetweenNodes()).isTrue();
    assertThat(stores.accountLinkStore().sharedBetweenNodes()).isTrue();
    long before = rows("portcullis_used_token");

    assertThat(stores.replayStore().markUsed("upgrade-token-1", PortalApp.START.plusSeconds(600)))
        .isTrue();

    assertThat(rows("portcullis_used_token"))
        .as("the mark is a row in the block's database")
        .isEqualTo(before + 1);
    assertThat(stores.replayStore().markUsed("upgrade-token-1", PortalApp.START.plusSeconds(600)))
        .as("a second use of the same id")
        .isFalse();
  }

  @Test
  void stoppingTheApplication_stopsItsStores_andLeavesThePoolOpen() throws Exception {
    start(0);
    PortalApp app = (PortalApp) nodes.get(0).getApplication();
    RevocationStore revocations = app.bundle.portcullis().revocations();
    assertThat(app.bundle.portcullis().sessionStore().sharedBetweenNodes()).isTrue();
    assertThat(revocations.isRevoked("ticket", "u-alice", PortalApp.START)).isFalse();

    nodes.remove(0).after();

    assertThatThrownBy(() -> revocations.isRevoked("ticket", "u-alice", PortalApp.START))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("JDBC stores closed");
    assertThat(pools.get(0).isClosed())
        .as("the application's pool is the application's")
        .isFalse();
    assertThat(rows("portcullis_session")).as("the pool still answers").isZero();
  }
}
