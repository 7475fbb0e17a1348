package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.session.SessionStoreContractTest;
import java.sql.SQLException;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The session contract on a real PostgreSQL. Timeouts are decided by the injected clock against the stored times, so
 * the contract's {@code advance} (moving the fake clock) needs no reinterpretation.
 */
@ExtendWith(SharedPostgres.class)
class JdbcSessionStoreTest extends SessionStoreContractTest {
  private final PostgresServer server;
  private HikariDataSource dataSource;
  private JdbcStores jdbc;

  JdbcSessionStoreTest(PostgresServer server) {
    this.server = server;
  }

  @Override
  protected SessionStore createStore(SessionConfig config, InstantSource clock) {
    closeStores();
    try {
      dataSource = server.freshDataSource();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    jdbc = JdbcStores.builder(dataSource, clock).build();
    return jdbc.sessionStore(config);
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @AfterEach
  void closeStores() {
    if (jdbc != null) {
      jdbc.close();
      dataSource.close();
      jdbc = null;
    }
  }
}
