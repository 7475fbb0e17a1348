package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import org.junit.jupiter.api.Test;

/** A wrong {@code portcullis:} block stops the application at start-up, and the message names each mistake. */
class StartupValidationTest {
  @Test
  void badPortcullisBlock_stopsTheStart_namingEverySetting() {
    Throwable failure = PortalStarts.refused(new DropwizardTestSupport<>(
        PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-bad.yml")));
    assertThat(failure.getMessage())
        .contains("portcullis.keys.file and portcullis.keys.pkcs12.path are both set")
        .contains("portcullis.keys.pkcs12.path is set without portcullis.keys.pkcs12.password")
        .contains("portcullis.login.termsVersion")
        .contains("portcullis.access.rules[0].roles")
        .contains("portcullis.audit.file is not set");
  }
}
