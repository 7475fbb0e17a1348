package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.sso.ReplayStoreContract;
import dev.portcullis.testing.MutableClock;
import java.sql.SQLException;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The replay contract, 1,000 concurrent double redemptions included, on a real PostgreSQL. */
@ExtendWith(SharedPostgres.class)
class JdbcReplayStoreTest extends ReplayStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final HikariDataSource dataSource;
  private final JdbcStores jdbc;
  private final ReplayStore store;

  JdbcReplayStoreTest(PostgresServer server) throws SQLException {
    dataSource = server.freshDataSource();
    jdbc = JdbcStores.builder(dataSource, clock).build();
    store = jdbc.replayStore();
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
  protected ReplayStore store() {
    return store;
  }

  @Override
  protected Instant now() {
    return clock.instant();
  }
}
