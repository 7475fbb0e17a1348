package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;

/**
 * Starts of the tests' applications: one on a test configuration file with the test key file, and one that must stop
 * at start-up, whose failure the test then reads. The application is stopped again whatever the start did.
 */
final class PortalStarts {
  private PortalStarts() {}

  /** {@code application} on {@code portcullis-app.yml} with the test key file, then {@code overrides}. */
  static DropwizardTestSupport<PortalApp.Config> app(
      Class<? extends PortalApp> application, ConfigOverride... overrides) {
    return app(application, "portcullis-app.yml", overrides);
  }

  /** {@code application} on the test resource {@code file} with the test key file, then {@code overrides}. */
  static DropwizardTestSupport<PortalApp.Config> app(
      Class<? extends PortalApp> application, String file, ConfigOverride... overrides) {
    ConfigOverride[] all = new ConfigOverride[overrides.length + 1];
    all[0] = ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString());
    System.arraycopy(overrides, 0, all, 1, overrides.length);
    return new DropwizardTestSupport<>(application, ResourceHelpers.resourceFilePath(file), all);
  }

  /** Why {@link PortalApp} on {@code portcullis-app.yml} with {@code overrides} did not start. */
  static Throwable refused(ConfigOverride... overrides) {
    return refused("the start", app(PortalApp.class, overrides));
  }

  /** Why {@code support} did not start; fails the test if it started. */
  static Throwable refused(DropwizardTestSupport<?> support) {
    return refused("the start", support);
  }

  /** As {@link #refused(DropwizardTestSupport)}, {@code what} naming the case in the failed assertion. */
  static Throwable refused(String what, DropwizardTestSupport<?> support) {
    Throwable failure;
    try {
      failure = catchThrowable(support::before);
    } finally {
      support.after();
    }
    assertThat(failure).as(what + " must be refused").isNotNull();
    return failure;
  }
}
