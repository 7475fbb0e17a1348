package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exchanges with the provider on real loopback sockets: read whole when prompt, cut off when not or too large. */
class ProviderHttpTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final ProviderHttp http = new ProviderHttp(TIMEOUT);

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  /** A server that answers {@code body} as JSON at once, with 201, and keeps what it was sent. */
  private JsonAnswerServer promptServer(String body) throws IOException {
    JsonAnswerServer server = new JsonAnswerServer(201, body);
    closing.add(server);
    return server;
  }

  @Test
  void promptAnswer_isReadWhole_forTheOAuthSdk_andTheKeySource() throws Exception {
    JsonAnswerServer server = promptServer("{\"keys\":[]}");
    URI uri = server.uri("/token");

    HTTPRequest request = new HTTPRequest(HTTPRequest.Method.POST, uri);
    request.setAuthorization("Basic cG9ydGFsOnNlY3JldA==");
    request.setContentType("application/x-www-form-urlencoded");
    request.setBody("grant_type=authorization_code");
    HTTPResponse response = request.send(http);
    assertThat(response.getStatusCode()).isEqualTo(201);
    assertThat(response.getEntityContentType().toString()).startsWith("application/json");
    assertThat(response.getBodyAsJSONObject()).containsKey("keys");
    assertThat(server.requests())
        .containsExactly(new JsonAnswerServer.Request(
            "POST", "/token", "Basic cG9ydGFsOnNlY3JldA==", "grant_type=authorization_code"));

    Resource keys = http.retrieveResource(uri.toURL());
    assertThat(keys.getContent()).isEqualTo("{\"keys\":[]}");
    assertThat(keys.getContentType()).startsWith("application/json");
  }

  @Test
  void drippedAnswer_failsWithinAboutTheTimeout_forTheOAuthSdk_andTheKeySource() throws Exception {
    DrippingServer server = new DrippingServer("{\"keys\":[]}", Duration.ofMillis(100));
    closing.add(server);
    assertThat(server.wholeAnswer()).isGreaterThan(TIMEOUT.multipliedBy(5));

    long start = System.nanoTime();
    assertThatThrownBy(
            () -> new HTTPRequest(HTTPRequest.Method.GET, server.uri("/token")).send(http))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(3));

    start = System.nanoTime();
    assertThatThrownBy(() -> http.retrieveResource(server.uri("/jwks").toURL()))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(3));
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void answerLargerThanTheLimit_isRefused_butOneAtTheLimitIsRead() throws Exception {
    // Sizes, not time: half a megabyte may take longer than the one-second timeout on a busy
    // machine.
    ProviderHttp patient = new ProviderHttp(Duration.ofSeconds(30));
    String atTheLimit = "\"" + "k".repeat(ProviderHttp.MAX_BODY - 2) + "\"";
    URI fits = promptServer(atTheLimit).uri("/token");
    assertThat(patient.retrieveResource(fits.toURL()).getContent()).hasSize(ProviderHttp.MAX_BODY);

    URI tooLarge = promptServer(atTheLimit + " ").uri("/token");
    assertThatThrownBy(() -> patient.retrieveResource(tooLarge.toURL()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than");
  }
}
