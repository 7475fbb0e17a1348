package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An application connector with {@code useForwardedHeaders: true}: Jetty then takes the client's scheme from {@code
 * X-Forwarded-Proto} and its address from {@code X-Forwarded-For}, which any client can send. The start stops unless
 * {@code portcullis.transport.container-decides-https} says whether Jetty's view of HTTPS is believed, and beside
 * trusted proxies or development mode whatever it says; with it set, a client on the plain-HTTP connector that claims
 * HTTPS is plain HTTP unless it is {@code true}. Driven through the real bundle on Dropwizard's Jetty.
 */
class ForwardedHeadersTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private DropwizardTestSupport<PortalApp.Config> support;

  @AfterEach
  void stop() {
    if (support != null) {
      support.after();
    }
  }

  private DropwizardTestSupport<PortalApp.Config> app(ConfigOverride... overrides) {
    List<ConfigOverride> all = new ArrayList<>();
    all.add(ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()));
    all.addAll(List.of(overrides));
    support = new DropwizardTestSupport<>(
        PortalApp.class,
        ResourceHelpers.resourceFilePath("portcullis-forwarded.yml"),
        all.toArray(ConfigOverride[]::new));
    return support;
  }

  private static ConfigOverride containerDecidesHttps(boolean believed) {
    return ConfigOverride.config(
        "portcullis.transport.container-decides-https", Boolean.toString(believed));
  }

  private Throwable startFailure(DropwizardTestSupport<PortalApp.Config> app) {
    Throwable failure = catchThrowable(app::before);
    assertThat(failure).as("the application must not start").isNotNull();
    while (failure.getCause() != null && !(failure instanceof IllegalStateException)) {
      failure = failure.getCause();
    }
    return failure;
  }

  /** A GET of {@code /status} (a public page) over the plain-HTTP connector, claiming HTTPS when asked to. */
  private HttpResponse<String> getStatus(boolean claimHttps) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + support.getLocalPort() + "/status"));
    if (claimHttps) {
      request.header("X-Forwarded-Proto", "https");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void forwardedHeaders_withoutContainerDecidesHttps_stopTheStart_namingBothSettings() {
    Throwable failure = startFailure(app());
    assertThat(failure)
        .hasMessageContaining("server.applicationConnectors[0].useForwardedHeaders is true")
        .hasMessageContaining("portcullis.transport.container-decides-https: true")
        .hasMessageContaining("portcullis.transport.trusted-proxies");
  }

  @Test
  void containerDecidesHttpsFalse_startsWithForwardedHeaders_andAClientClaimingHttpsIsPlainHttp()
      throws Exception {
    app(containerDecidesHttps(false)).before();

    HttpResponse<String> claimed = getStatus(true);
    assertThat(claimed.statusCode())
        .as("X-Forwarded-Proto from a client on the plain connector is not HTTPS")
        .isEqualTo(308);
    assertThat(claimed.headers().firstValue("Location")).hasValue("https://portal.example/status");
    assertThat(claimed.headers().firstValue("Strict-Transport-Security")).isEmpty();
    assertThat(claimed.body()).doesNotContain("up");
    assertThat(getStatus(false).statusCode()).isEqualTo(308);
  }

  @Test
  void containerDecidesHttpsTrue_believesJettysForwardedScheme() throws Exception {
    app(containerDecidesHttps(true)).before();

    HttpResponse<String> forwarded = getStatus(true);
    assertThat(forwarded.statusCode()).isEqualTo(200);
    assertThat(forwarded.body()).isEqualTo("up");
    assertThat(forwarded.headers().firstValue("Strict-Transport-Security")).isPresent();
    HttpResponse<String> plain = getStatus(false);
    assertThat(plain.statusCode()).as("without the header Jetty calls it plain").isEqualTo(308);
    assertThat(plain.headers().firstValue("Strict-Transport-Security")).isEmpty();
  }

  @Test
  void forwardedHeaders_besideTrustedProxies_stopTheStart_eitherWay() {
    for (boolean believed : new boolean[] {false, true}) {
      Throwable failure = startFailure(app(
          containerDecidesHttps(believed),
          ConfigOverride.config("portcullis.transport.trusted-proxies", "127.0.0.1")));
      assertThat(failure)
          .as("container-decides-https: %s", believed)
          .hasMessageContaining(
              "server.applicationConnectors[0].useForwardedHeaders is true beside")
          .hasMessageContaining("pass for a listed proxy");
      support.after();
      support = null;
    }
  }

  @Test
  void forwardedHeaders_inDevelopmentMode_stopTheStart_eitherWay() {
    for (boolean believed : new boolean[] {false, true}) {
      Throwable failure = startFailure(app(
          containerDecidesHttps(believed),
          ConfigOverride.config("portcullis.transport.development-mode", "true")));
      assertThat(failure)
          .as("container-decides-https: %s", believed)
          .hasMessageContaining("useForwardedHeaders is true in development mode")
          .hasMessageContaining("pass for loopback");
      support.after();
      support = null;
    }
  }
}
