package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import org.junit.jupiter.api.Test;

/**
 * The {@code portcullis.login} and {@code portcullis.csrf} settings of the YAML block reach the running application's
 * login and filter.
 */
class LoginSettingsTest {

  private static DropwizardTestSupport<PortalApp.Config> app(ConfigOverride... overrides) {
    ConfigOverride[] all = new ConfigOverride[overrides.length + 1];
    all[0] = ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString());
    System.arraycopy(overrides, 0, all, 1, overrides.length);
    return new DropwizardTestSupport<>(
        PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-app.yml"), all);
  }

  @Test
  void maxConcurrentPasswordChecks_fromTheYamlBlock_boundsTheLogin() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support =
        app(ConfigOverride.config("portcullis.login.max-concurrent-password-checks", "3"));
    try {
      support.before();
      PortalApp app = support.getApplication();
      assertThat(app.bundle.portcullis().login().maxConcurrentPasswordChecks()).isEqualTo(3);
    } finally {
      support.after();
    }
  }

  @Test
  void maxConcurrentPasswordChecks_unset_isTheCoreDefault() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = app();
    try {
      support.before();
      PortalApp app = support.getApplication();
      assertThat(app.bundle.portcullis().login().maxConcurrentPasswordChecks())
          .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    } finally {
      support.after();
    }
  }

  @Test
  void maxConcurrentPasswordChecks_belowOne_stopsTheStart_namingTheSetting() {
    DropwizardTestSupport<PortalApp.Config> support =
        app(ConfigOverride.config("portcullis.login.max-concurrent-password-checks", "0"));
    try {
      Throwable failure = catchThrowable(support::before);
      assertThat(failure).isNotNull();
      assertThat(failure.getMessage())
          .contains("portcullis.login.maxConcurrentPasswordChecks")
          .contains("must be greater than or equal to 1");
    } finally {
      support.after();
    }
  }

  @Test
  void csrfTrustedOrigins_fromTheYamlBlock_reachTheFilter() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = app(ConfigOverride.config(
        "portcullis.csrf.trusted-origins", "https://apply.example,https://forms.example:8443"));
    try {
      support.before();
      PortalApp app = support.getApplication();
      assertThat(app.bundle.portcullis().filter().trustedOrigins())
          .containsExactly("https://apply.example", "https://forms.example:8443");
    } finally {
      support.after();
    }
  }

  @Test
  void csrfTrustedOrigin_withAPath_stopsTheStart() {
    DropwizardTestSupport<PortalApp.Config> support = app(
        ConfigOverride.config("portcullis.csrf.trusted-origins", "https://apply.example/forms"));
    try {
      Throwable failure = catchThrowable(support::before);
      assertThat(failure).isNotNull();
      assertThat(failure)
          .rootCause()
          .hasMessageContaining(
              "the trusted origin 'https://apply.example/forms' is not an origin");
    } finally {
      support.after();
    }
  }
}
