package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginAttemptStoreContract;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.testing.MutableClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The login-attempt contract on a real PostgreSQL, with two pools on one schema standing for two nodes. The store
 * decides by its injected clock (slot times and known-until instants are stored), so moving the {@link MutableClock}
 * is an honest {@code advance}.
 */
@ExtendWith(SharedPostgres.class)
class JdbcLoginAttemptStoreTest extends LoginAttemptStoreContract {
  private static final Duration HOUR = Duration.ofHours(1);

  private final MutableClock clock = MutableClock.startingAt2026();
  private final HikariDataSource dataSource;
  private final HikariDataSource otherNodesPool;
  private final JdbcStores nodeA;
  private final JdbcStores nodeB;
  private final LoginAttemptStore store;

  JdbcLoginAttemptStoreTest(PostgresServer server) throws SQLException {
    dataSource = server.freshDataSource();
    otherNodesPool = samePlace(dataSource);
    nodeA = JdbcStores.builder(dataSource, clock).build();
    nodeB = JdbcStores.builder(otherNodesPool, clock).build();
    store = nodeA.loginAttemptStore();
  }

  /** A second pool on the database and schema of {@code pool}: another node. */
  static HikariDataSource samePlace(HikariDataSource pool) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pool.getJdbcUrl());
    config.setUsername(pool.getUsername());
    config.setMaximumPoolSize(10);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    config.setPoolName(pool.getPoolName() + "-other-node");
    return new HikariDataSource(config);
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
    otherNodesPool.close();
    dataSource.close();
  }

  @Override
  protected LoginAttemptStore store() {
    return store;
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @Override
  protected LoginAttemptStore sameStoreOnAnotherNode() {
    return nodeB.loginAttemptStore();
  }

  @Override
  protected void advance(Duration by) {
    clock.advance(by);
  }

  @Test
  void rows_holdHashesOfTheKeys_andAreKeptOneWindowOrTheKnownTime_plusTheSkew()
      throws SQLException {
    store.reserve("a:budget-AAAAAAAA", 7, 10, Duration.ofMinutes(30));
    store.rememberAddress("k:known-BBBBBBBB", Duration.ofDays(30));
    long now = clock.instant().toEpochMilli();
    List<String> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet r =
          s.executeQuery("SELECT budget_hash, keep_until_ms FROM portcullis_login_budget")) {
        while (r.next()) {
          rows.add(HexFormat.of().formatHex(r.getBytes(1)));
          assertThat(r.getLong(2) - now)
              .isEqualTo(Duration.ofMinutes(30).plusSeconds(30).toMillis());
        }
      }
      try (ResultSet r =
          s.executeQuery("SELECT address_hash, keep_until_ms FROM portcullis_known_address")) {
        while (r.next()) {
          rows.add(HexFormat.of().formatHex(r.getBytes(1)));
          assertThat(r.getLong(2) - now)
              .isEqualTo(Duration.ofDays(30).plusSeconds(30).toMillis());
        }
      }
    }
    assertThat(rows)
        .containsExactlyInAnyOrder(
            HexFormat.of().formatHex(JdbcLoginAttemptStore.budgetHash("a:budget-AAAAAAAA")),
            HexFormat.of().formatHex(JdbcLoginAttemptStore.addressHash("k:known-BBBBBBBB")));
  }

  @Test
  void cleanUp_deletesBudgetsAndAddressesPastTheirTime_andTheLimitStillHolds() {
    store.reserve("old", 1, 1, HOUR);
    store.rememberAddress("gone", HOUR);
    store.rememberAddress("kept", Duration.ofDays(2));
    advance(Duration.ofMinutes(30));
    store.reserve("fresh", 2, 1, HOUR);
    assertThat(nodeA.cleanUp()).isZero();
    advance(Duration.ofMinutes(31));
    assertThat(nodeA.cleanUp())
        .as("the old budget and the address that ran out")
        .isEqualTo(2);
    assertThat(store.reserve("fresh", 3, 1, HOUR))
        .as("the fresh budget is kept")
        .isFalse();
    assertThat(store.isKnownAddress("kept")).isTrue();
    assertThat(store.isKnownAddress("gone")).isFalse();
    assertThat(store.reserve("old", 4, 1, HOUR)).isTrue();
  }

  @Test
  void closedStores_failClosed_neverReservedOrKnown() {
    store.rememberAddress("known", HOUR);
    nodeA.close();
    assertThatThrownBy(() -> store.reserve("x", 1, 5, HOUR))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> store.isKnownAddress("known"))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> store.release("x", 1)).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> store.rememberAddress("y", HOUR))
        .isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void aDatabaseThatDoesNotAnswer_failsClosed() {
    otherNodesPool.close();
    LoginAttemptStore onB = nodeB.loginAttemptStore();
    assertThatThrownBy(() -> onB.reserve("x", 1, 5, HOUR))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> onB.isKnownAddress("x")).isInstanceOf(StoreUnavailableException.class);
  }
}
