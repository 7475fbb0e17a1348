package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.AccountLinkStoreContract;
import dev.portcullis.testing.MutableClock;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The account-link contract on a real PostgreSQL. */
@ExtendWith(SharedPostgres.class)
class JdbcAccountLinkStoreTest extends AccountLinkStoreContract {
  private final HikariDataSource dataSource;
  private final JdbcStores jdbc;
  private final AccountLinkStore store;

  JdbcAccountLinkStoreTest(PostgresServer server) throws SQLException {
    dataSource = server.freshDataSource();
    jdbc = JdbcStores.builder(dataSource, MutableClock.startingAt2026()).build();
    store = jdbc.accountLinkStore();
  }

  @AfterEach
  void close() {
    jdbc.close();
    dataSource.close();
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @Override
  protected AccountLinkStore store() {
    return store;
  }
}
