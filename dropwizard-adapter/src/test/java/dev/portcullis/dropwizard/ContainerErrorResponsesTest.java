package dev.portcullis.dropwizard;

import dev.portcullis.testing.RawHttp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the Dropwizard application's Jetty answers, with the bundle, to requests it refuses before any filter or
 * resource runs, over a raw socket to the application connector: the security headers of every other response,
 * {@code Cache-Control: no-store}, no {@code Server} header, and a body that names neither the server nor anything of
 * the request.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ContainerErrorResponsesTest {
  static final DropwizardAppExtension<PortalApp.Config> APP = new DropwizardAppExtension<>(
      PortalApp.class,
      ResourceHelpers.resourceFilePath("portcullis-app.yml"),
      ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()));

  /**
   * Regression: the Jetty error handler Dropwizard sets answered these, with none of the security headers, in an HTML
   * body that repeats Jetty's reason for the refusal and, for a path it refuses, the request's URI.
   */
  @Test
  void requestsJettyRefuses_getThePlainErrorResponse_withTheSecurityHeaders() throws Exception {
    RawHttp.assertEachRefusedRequestGetsThePlainErrorResponse(APP.getLocalPort());
  }
}
