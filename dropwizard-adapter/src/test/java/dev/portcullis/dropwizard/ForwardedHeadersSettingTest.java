package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.transport.ForwardedHeaders;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code portcullis.transport.forwarded-headers} of the YAML block reaches the running filter's transport, and a value
 * that is not one of the three stops the start. The application runs in development mode behind a trusted proxy on
 * loopback ({@code portcullis-proxied.yml}).
 */
class ForwardedHeadersSettingTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private static DropwizardTestSupport<PortalApp.Config> app(ConfigOverride... overrides) {
    return PortalStarts.app(PortalApp.class, "portcullis-proxied.yml", overrides);
  }

  private HttpResponse<String> status(
      DropwizardTestSupport<PortalApp.Config> app, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + "/status"));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void forwarded_fromTheYamlBlock_makesTheProxysXForwardedForIgnored() throws Exception {
    DropwizardTestSupport<PortalApp.Config> support =
        app(ConfigOverride.config("portcullis.transport.forwarded-headers", "forwarded"));
    try {
      support.before();
      PortalApp app = support.getApplication();
      assertThat(app.bundle.portcullis().filter().transport().forwardedHeaders())
          .isEqualTo(ForwardedHeaders.FORWARDED);
      // Development mode serves plain HTTP to loopback clients only: a client address the proxy
      // on loopback forwards in a header that is read is not loopback, and is refused.
      assertThat(status(support, "X-Forwarded-For", "203.0.113.9").statusCode())
          .as("X-Forwarded-For is not read: the proxy's own loopback request")
          .isEqualTo(200);
      assertThat(status(support, "Forwarded", "for=203.0.113.9").statusCode())
          .as("Forwarded is read: a remote client over plain HTTP")
          .isNotEqualTo(200);
    } finally {
      support.after();
    }
  }

  @Test
  void unset_isBothKinds_andXForwardedIsSpelledAsInTheDocs() throws Exception {
    Map<String, ForwardedHeaders> expected = new LinkedHashMap<>();
    expected.put(null, ForwardedHeaders.BOTH);
    expected.put("x-forwarded", ForwardedHeaders.X_FORWARDED);
    for (Map.Entry<String, ForwardedHeaders> e : expected.entrySet()) {
      DropwizardTestSupport<PortalApp.Config> support = e.getKey() == null
          ? app()
          : app(ConfigOverride.config("portcullis.transport.forwarded-headers", e.getKey()));
      try {
        support.before();
        PortalApp app = support.getApplication();
        assertThat(app.bundle.portcullis().filter().transport().forwardedHeaders())
            .as("forwarded-headers: %s", e.getKey())
            .isEqualTo(e.getValue());
      } finally {
        support.after();
      }
    }
  }

  @Test
  void aValueNotAmongTheThree_stopsTheStart_namingTheSettingAndTheValues() {
    Throwable failure = PortalStarts.refused(
        "the application must not start",
        app(ConfigOverride.config("portcullis.transport.forwarded-headers", "sideways")));
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    assertThat(messages.toString())
        .contains("portcullis.transport.forwarded-headers")
        .contains("sideways")
        .contains("X_FORWARDED, FORWARDED, BOTH");
  }
}
