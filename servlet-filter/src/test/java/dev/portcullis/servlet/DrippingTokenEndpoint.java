package dev.portcullis.servlet;

import java.io.IOException;
import java.time.Duration;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * A provider's token endpoint on a {@link DrippingServer}, outside mock-oauth2-server: a well-formed token answer,
 * dripped a byte at a time. {@link #discovery()} is the route that makes mock-oauth2-server's discovery document name
 * it as the token endpoint, every other endpoint staying mock-oauth2-server's own.
 */
final class DrippingTokenEndpoint implements AutoCloseable {
  private final DrippingServer server;

  /** @param pause the pause after each byte of the answer */
  DrippingTokenEndpoint(Duration pause) throws IOException {
    server = new DrippingServer(
        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"x.y.z\"}", pause);
  }

  /** How many token requests have started to be answered. */
  int requests() {
    return server.requests();
  }

  /** How long the whole answer takes to drip. */
  Duration wholeAnswer() {
    return server.wholeAnswer();
  }

  /** The provider's discovery document, with this endpoint as its token endpoint. */
  Route discovery() {
    return new Route() {
      @Override
      public boolean match(OAuth2HttpRequest request) {
        return request.getMethod().equals("GET")
            && request.getUrl().encodedPath().endsWith("/.well-known/openid-configuration");
      }

      @Override
      public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
        HttpUrl url = request.getUrl();
        String issuer = url.scheme() + "://" + url.host() + ":" + url.port() + "/default";
        String metadata = ("{\"issuer\":\"%1$s\",\"authorization_endpoint\":\"%1$s/authorize\","
                + "\"token_endpoint\":\"%2$s\",\"jwks_uri\":\"%1$s/jwks\","
                + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")
            .formatted(issuer, server.uri("/token"));
        return new OAuth2HttpResponse(
            Headers.of("Content-Type", "application/json"), 200, metadata, null);
      }
    };
  }

  /** Stops answering: a token request held by the drip fails at once. */
  @Override
  public void close() throws IOException {
    server.close();
  }
}
