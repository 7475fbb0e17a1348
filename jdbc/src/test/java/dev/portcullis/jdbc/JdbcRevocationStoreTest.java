package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.RevocationStoreContract;
import dev.portcullis.testing.MutableClock;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The revocation contract on a real PostgreSQL. The store decides expiry by its injected clock against the stored
 * instants, so moving the {@link MutableClock} is an honest {@code advance}.
 */
@ExtendWith(SharedPostgres.class)
class JdbcRevocationStoreTest extends RevocationStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final HikariDataSource dataSource;
  private final JdbcStores jdbc;
  private final RevocationStore store;

  JdbcRevocationStoreTest(PostgresServer server) throws SQLException {
    dataSource = server.freshDataSource();
    jdbc = JdbcStores.builder(dataSource, clock).build();
    store = jdbc.revocationStore();
  }

  @AfterEach
  void close() {
    jdbc.close();
    dataSource.close();
  }

  @Override
  protected RevocationStore store() {
    return store;
  }

  @Override
  protected Instant now() {
    return clock.instant();
  }

  @Override
  protected void advance(Duration by) {
    clock.advance(by);
  }
}
