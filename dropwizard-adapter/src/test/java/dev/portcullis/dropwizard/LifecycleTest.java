package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditSink;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the application closes what Portcullis made: the audit log delivers its events and closes its sinks,
 * including the file sink the YAML block names, so that the next start opens the same file.
 */
class LifecycleTest {
  @Test
  void stoppingTheApplication_closesTheAuditLogAndItsSinks(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.log");
    DropwizardTestSupport<PortalApp.Config> support = new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-app.yml"),
        ConfigOverride.config(
            "portcullis.keys.file", PortcullisBundleTest.keyFile().toString()),
        ConfigOverride.config("portcullis.audit.sink", "hash-chained"),
        ConfigOverride.config("portcullis.audit.file", file.toString()));
    support.before();
    PortalApp app = support.getApplication();
    try {
      assertThat(app.sink.isClosed()).isFalse();
      assertThat(app.bundle.portcullis().audit().health().healthy()).isTrue();
      assertThatThrownBy(() -> AuditSink.hashChained(file))
          .as("the file sink from the YAML block holds the file")
          .isInstanceOf(IOException.class);
    } finally {
      support.after();
    }
    assertThat(app.sink.isClosed()).as("closed at stop").isTrue();
    AuditSink.hashChained(file).close(); // released at stop
  }
}
