package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import org.junit.jupiter.api.Test;

/** Stopping the application closes what Portcullis made: the audit log delivers its events and closes its sinks. */
class LifecycleTest {
  @Test
  void stoppingTheApplication_closesTheAuditLogAndItsSinks() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-app.yml"),
        ConfigOverride.config(
            "portcullis.keys.file", PortcullisBundleTest.keyFile().toString()));
    support.before();
    PortalApp app = support.getApplication();
    try {
      assertThat(app.sink.isClosed()).isFalse();
      assertThat(app.bundle.portcullis().audit().health().healthy()).isTrue();
    } finally {
      support.after();
    }
    assertThat(app.sink.isClosed()).as("closed at stop").isTrue();
  }
}
