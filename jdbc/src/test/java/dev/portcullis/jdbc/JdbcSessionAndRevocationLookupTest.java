package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.session.SessionAndRevocationLookupContract;
import dev.portcullis.session.SessionConfig;
import java.sql.SQLException;
import java.time.InstantSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The combined lookup contract on a real PostgreSQL: the session store and the revocation store of one
 * {@link JdbcStores} answer in one statement, with the answers of the two. The outage is the pool closed under the
 * stores: no connection, so every call fails closed.
 */
@ExtendWith(SharedPostgres.class)
class JdbcSessionAndRevocationLookupTest extends SessionAndRevocationLookupContract {
  private final PostgresServer server;
  private HikariDataSource dataSource;

  JdbcSessionAndRevocationLookupTest(PostgresServer server) {
    this.server = server;
  }

  @Override
  protected Stores createStores(SessionConfig config, InstantSource clock) {
    try {
      dataSource = server.freshDataSource();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    JdbcStores jdbc = JdbcStores.builder(dataSource, clock).build();
    HikariDataSource pool = dataSource;
    return new Stores(jdbc.sessionStore(config), jdbc.revocationStore(), () -> {
      jdbc.close();
      pool.close();
    });
  }

  @Override
  protected boolean answersInOneCall() {
    return true;
  }

  @Override
  protected boolean stopAnswering() {
    dataSource.close();
    return true;
  }
}
