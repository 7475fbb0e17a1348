package dev.portcullis.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The database stops while the stores are in use: calls fail closed with {@link StoreUnavailableException} (never
 * "not revoked"), within the pool's connection timeout rather than hanging; when it returns, the same stores work
 * again without a restart. On a server of its own, since it stops it.
 */
class JdbcOutageTest {
  /**
   * How long the pool tries to get a connection: each call while the database is stopped waits this long before it
   * fails. As short as a portal would configure it (JdbcFaultsOverHttpTest's pool has the same), so that the three
   * calls below take little time.
   */
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);

  /** Far above the pool's connection timeout: a guard against hanging, not a speed measurement. */
  private static final Duration HANG = Duration.ofSeconds(30);

  @Test
  void databaseStopped_failsClosedWithATypedException_andRecoversWhenItReturns() throws Exception {
    Assumptions.assumeTrue(PostgresServer.binaries().isPresent(), PostgresServer.MISSING);
    MutableClock clock = MutableClock.startingAt2026();
    try (PostgresServer server = PostgresServer.create();
        HikariDataSource setup = server.freshDataSource()) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(setup.getJdbcUrl() + "&socketTimeout=5");
      config.setUsername(PostgresServer.USER);
      config.setMaximumPoolSize(4);
      config.setMinimumIdle(0);
      config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
      config.setInitializationFailTimeout(-1);
      try (HikariDataSource dataSource = new HikariDataSource(config);
          JdbcStores jdbc = JdbcStores.builder(dataSource, clock).build()) {
        RevocationStore revocations = jdbc.revocationStore();
        revocations.revoke("t-revoked", clock.instant().plus(Duration.ofHours(1)));
        assertThat(revocations.isRevoked("t-revoked", "u", clock.instant())).isTrue();

        server.stop();

        for (int i = 0; i < 3; i++) {
          assertTimeoutPreemptively(
              HANG,
              () -> assertThatThrownBy(
                      () -> revocations.isRevoked("t-revoked", "u", clock.instant()))
                  .isInstanceOf(StoreUnavailableException.class)
                  .hasMessageNotContaining("t-revoked"));
        }
        String log = Files.readString(Path.of("target/jdbc-tests.log"), StandardCharsets.UTF_8);
        assertThat(log).contains("could not check a revocation").doesNotContain("t-revoked");

        server.start();

        assertTimeoutPreemptively(HANG, () -> {
          while (true) {
            try {
              assertThat(revocations.isRevoked("t-revoked", "u", clock.instant()))
                  .isTrue();
              return;
            } catch (StoreUnavailableException stillStarting) {
              Thread.sleep(100);
            }
          }
        });
        assertThat(revocations.isRevoked("t-other", "u", clock.instant())).isFalse();
      }
    }
  }
}
