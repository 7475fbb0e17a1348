package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.logging.common.BootstrapLogging;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * A real OpenID provider on loopback over HTTP (mock-oauth2-server), and the steps a browser takes there between the
 * portal's redirect and the provider's answer. It signs with the real time.
 */
final class LoopbackOpenIdProvider implements AutoCloseable {
  static final String CLIENT = "portal";

  private final MockOAuth2Server server = new MockOAuth2Server();
  private final HttpClient client =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  final String issuer;

  LoopbackOpenIdProvider() throws Exception {
    // Dropwizard's own logging set-up, as an application does when it is made: the provider and its
    // HTTP library
    // would otherwise log every request at DEBUG until the first application starts.
    BootstrapLogging.bootstrap();
    server.start(InetAddress.getLoopbackAddress(), 0);
    try {
      issuer = server.issuerUrl("default").toString();
      warmUp();
    } catch (Exception | Error e) {
      server.shutdown();
      throw e;
    }
  }

  /**
   * mock-oauth2-server makes its signing key and loads its handlers on first use: asked once here, without a tight
   * timeout, so that a portal's discovery meets a provider that is ready.
   */
  private void warmUp() throws Exception {
    for (String path : List.of("/.well-known/openid-configuration", "/jwks")) {
      HttpResponse<String> r = client.send(
          HttpRequest.newBuilder(URI.create(issuer + path))
              .timeout(Duration.ofSeconds(60))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
  }

  /** One decoded query parameter of {@code url}, or null. */
  static String query(String url, String name) {
    String raw = URI.create(url).getRawQuery();
    for (String pair : raw == null ? new String[0] : raw.split("&")) {
      if (pair.startsWith(name + "=")) {
        return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The portal's redirect to this provider's authorization endpoint. */
  String authorizeUrl(HttpResponse<String> toProvider) {
    assertThat(toProvider.statusCode()).as(toProvider.body()).isEqualTo(303);
    String authorize = toProvider.headers().firstValue("Location").orElseThrow();
    assertThat(authorize).startsWith(issuer + "/authorize?");
    return authorize;
  }

  /**
   * The user signs in as {@code subject} and the provider sends the browser back to {@code portal}: the callback's path
   * and query. An account link's request ({@code prompt=login}) gets the provider's login page first, answered with
   * the real time as {@code auth_time}.
   */
  String callbackFrom(String authorize, String subject, String portal) throws Exception {
    server.enqueueCallback(
        new DefaultOAuth2TokenCallback("default", subject, "JWT", List.of(CLIENT), Map.of(), 3600));
    HttpResponse<String> back = client.send(
        HttpRequest.newBuilder(URI.create(authorize)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if ("login".equals(query(authorize, "prompt"))) {
      assertThat(back.statusCode())
          .as("the provider asks the user to log in again")
          .isEqualTo(200);
      String claims = "{\"auth_time\":" + System.currentTimeMillis() / 1000 + "}";
      back = client.send(
          HttpRequest.newBuilder(URI.create(authorize))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "username=" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "&claims="
                      + URLEncoder.encode(claims, StandardCharsets.UTF_8)))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
    assertThat(back.statusCode()).isEqualTo(302);
    URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
    assertThat(callback.toString()).startsWith(portal + "/sso/callback?");
    return callback.getRawPath() + "?" + callback.getRawQuery();
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
