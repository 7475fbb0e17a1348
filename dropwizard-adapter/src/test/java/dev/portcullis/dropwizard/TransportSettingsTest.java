package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The {@code portcullis.transport} block without a canonical host and outside development mode: the start stops with
 * a message in the block's own names, and {@code redirect-plain-http: false} is the way to refuse plain HTTP instead;
 * the HSTS policy from the block.
 */
class TransportSettingsTest {
  private static DropwizardTestSupport<PortalApp.Config> app(ConfigOverride... overrides) {
    ConfigOverride[] all = new ConfigOverride[overrides.length + 2];
    all[0] = ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString());
    all[1] = ConfigOverride.config("portcullis.transport.development-mode", "false");
    System.arraycopy(overrides, 0, all, 2, overrides.length);
    return new DropwizardTestSupport<>(
        PortalApp.class, ResourceHelpers.resourceFilePath("portcullis-app.yml"), all);
  }

  /**
   * Regression: the message named the Java builder's {@code canonicalHost(...)} and {@code redirectPlainHttp(false)},
   * and the block had no setting for the second.
   */
  @Test
  void noCanonicalHost_outsideDevelopmentMode_stopsTheStart_namingTheYamlSettings() {
    Throwable failure = PortalStarts.refused(app());
    assertThat(failure.getMessage())
        .contains("portcullis.transport.canonical-host")
        .contains("portcullis.transport.redirect-plain-http: false")
        .contains("portcullis.transport.development-mode: true");
  }

  @Test
  void redirectPlainHttpFalse_withoutACanonicalHost_starts_andRefusesPlainHttpWith403()
      throws Exception {
    DropwizardTestSupport<PortalApp.Config> support =
        app(ConfigOverride.config("portcullis.transport.redirect-plain-http", "false"));
    try {
      support.before();
      HttpResponse<String> plain = HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + support.getLocalPort() + "/login"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(403);
      assertThat(plain.headers().firstValue("Location")).isEmpty();
      assertThat(plain.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(support
              .<PortalApp>getApplication()
              .bundle
              .portcullis()
              .filter()
              .transport()
              .redirectsPlainHttp())
          .isFalse();
    } finally {
      support.after();
    }
  }

  /**
   * Regression: the block had no HSTS settings, so a Dropwizard portal could neither cover its subdomains nor change
   * the policy's lifetime without replacing the block's whole transport in code.
   */
  @Test
  void hstsMaxAgeAndIncludeSubdomains_areTheHeaderOfResponsesOverHttps() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support = app(
        ConfigOverride.config("portcullis.transport.redirect-plain-http", "false"),
        ConfigOverride.config("portcullis.transport.trusted-proxies", "127.0.0.1"),
        ConfigOverride.config("portcullis.transport.hsts-max-age", "730 days"),
        ConfigOverride.config("portcullis.transport.hsts-include-subdomains", "true"));
    try {
      support.before();
      // Through the trusted proxy on loopback, which terminated TLS.
      HttpResponse<String> overHttps = HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + support.getLocalPort() + "/login"))
                  .header("X-Forwarded-Proto", "https")
                  .header("X-Forwarded-For", "203.0.113.7")
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(overHttps.statusCode()).isEqualTo(200);
      assertThat(overHttps.headers().firstValue("Strict-Transport-Security"))
          .hasValue("max-age=63072000; includeSubDomains");
    } finally {
      support.after();
    }
  }
}
