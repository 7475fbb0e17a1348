package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.Application;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.InetAddress;
import java.net.ServerSocket;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A {@code portcullis.jdbc} block that cannot work stops the start with what to fix, naming the YAML's settings:
 * beside a {@code redis} block, without the application's {@code DataSource}, with a setting the core refuses, or
 * with {@code apply-schema} and a database that does not answer. No PostgreSQL is needed.
 */
class JdbcBlockRefusalsTest {
  /** The start's failure, the application handing {@code dataSource} to the bundle unless it is null. */
  private static Throwable startFailure(DataSource dataSource, ConfigOverride... overrides) {
    ConfigOverride[] all = new ConfigOverride[overrides.length + 1];
    all[0] = ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString());
    System.arraycopy(overrides, 0, all, 1, overrides.length);
    DropwizardTestSupport<PortalApp.Config> support =
        new DropwizardTestSupport<>(
            PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-app.yml"), all) {
          @Override
          public Application<PortalApp.Config> newApplication() {
            PortalApp app = new PortalApp();
            if (dataSource != null) {
              app.bundle.dataSource((configuration, environment) -> dataSource);
            }
            return app;
          }
        };
    return PortalStarts.refused(support);
  }

  /** A PostgreSQL {@code DataSource} on a loopback port where nothing listens; it connects to nothing until asked. */
  private static DataSource nowhere() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/portal");
    dataSource.setConnectTimeout(2);
    return dataSource;
  }

  @Test
  void redisAndJdbcBlocksTogether_stopTheStart_namingBoth() throws Exception {
    Throwable failure = startFailure(
        nowhere(),
        ConfigOverride.config("portcullis.redis.uri", "redis://127.0.0.1:1"),
        ConfigOverride.config("portcullis.jdbc.apply-schema", "false"));

    assertThat(failure.getMessage())
        .contains("portcullis.redis and portcullis.jdbc are both set")
        .contains("Keep portcullis.redis for Redis or portcullis.jdbc for PostgreSQL");
  }

  @Test
  void aJdbcBlockWithoutADataSource_stopsTheStart_sayingWhereToGiveIt() {
    Throwable failure =
        startFailure(null, ConfigOverride.config("portcullis.jdbc.apply-schema", "false"));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("portcullis.jdbc is set but the application gave no DataSource")
        .hasMessageContaining("PortcullisBundle.dataSource(");
  }

  @Test
  void aQueryTimeoutOfZero_isRefused_inTheYamlsNames() throws Exception {
    Throwable failure =
        startFailure(nowhere(), ConfigOverride.config("portcullis.jdbc.query-timeout", "0s"));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "portcullis.jdbc was refused: portcullis.jdbc.query-timeout must be more"
                + " than 0 and at most 30 seconds");
  }

  @Test
  void applySchema_withADatabaseThatDoesNotAnswer_stopsTheStart() throws Exception {
    Throwable failure =
        startFailure(nowhere(), ConfigOverride.config("portcullis.jdbc.apply-schema", "true"));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("portcullis.jdbc.apply-schema: ")
        .hasMessageContaining("set portcullis.jdbc.apply-schema: false");
  }
}
