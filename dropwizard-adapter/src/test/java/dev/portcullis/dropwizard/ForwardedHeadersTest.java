package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import org.junit.jupiter.api.Test;

/**
 * An application connector with {@code useForwardedHeaders: true} stops the start. Jetty's forwarded-header handling
 * makes the client's address whatever {@code X-Forwarded-For} says, so any client could pass for a trusted proxy, for
 * loopback in development mode (plain HTTP from anywhere), or for any address in the audit log and the login limit.
 */
class ForwardedHeadersTest {
  @Test
  void applicationConnectorWithForwardedHeaders_stopsTheStart_namingTheSetting() {
    DropwizardTestSupport<PortalApp.Config> support = new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-forwarded.yml"),
        ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()));
    try {
      Throwable failure = catchThrowable(support::before);
      assertThat(failure).as("the application must not start").isNotNull();
      assertThat(failure)
          .hasMessageContaining("server.applicationConnectors[0].useForwardedHeaders")
          .hasMessageContaining("portcullis.transport.trusted-proxies");
    } finally {
      support.after();
    }
  }
}
