package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dropwizard's admin context (health checks, metrics, thread dumps, tasks) has no login and is not behind Portcullis:
 * an admin connector that listens on every interface, Dropwizard's default, is told in a start-up warning that names
 * the setting; one bound to loopback is not.
 */
class AdminConnectorWarningTest {
  private static String startAndReadLog(Path dir, ConfigOverride... overrides) throws Exception {
    Path log = dir.resolve("application.log");
    ConfigOverride[] all = new ConfigOverride[overrides.length + 2];
    all[0] = ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString());
    all[1] = ConfigOverride.config("logging.appenders[0].currentLogFilename", log.toString());
    System.arraycopy(overrides, 0, all, 2, overrides.length);
    DropwizardTestSupport<PortalApp.Config> support = new DropwizardTestSupport<>(
        PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-open-admin.yml"), all);
    try {
      support.before();
    } finally {
      support.after(); // stops the asynchronous appender, so the file holds every line
    }
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Regression: the admin context listened on every interface and nothing said so. */
  @Test
  void adminConnectorOnEveryInterface_isWarnedAbout_namingTheSetting(@TempDir Path dir)
      throws Exception {
    String log = startAndReadLog(dir);
    assertThat(log)
        .contains("server.adminConnectors[0]")
        .contains("every network interface")
        .contains("bindHost: 127.0.0.1");
  }

  @Test
  void adminConnectorOnLoopback_isNotWarnedAbout(@TempDir Path dir) throws Exception {
    String log = startAndReadLog(
        dir, ConfigOverride.config("server.adminConnectors[0].bindHost", "127.0.0.1"));
    assertThat(log).doesNotContain("server.adminConnectors");
  }
}
