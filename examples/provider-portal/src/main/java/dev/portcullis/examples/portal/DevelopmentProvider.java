package dev.portcullis.examples.portal;

import com.nimbusds.oauth2.sdk.TokenRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * The OpenID provider of {@code --sso dev}: mock-oauth2-server on loopback, with a login page on every authorization,
 * where whatever name is typed becomes the signed-in subject. The login page is the example's own, written to the data
 * folder at each start ({@value #LOGIN_PAGE}): the mock server's page loads a web font from the internet, and a
 * development provider should not make the browser call anywhere but this machine. Its ID tokens are signed with a key it
 * makes at start, name this portal's client as their audience and carry {@code auth_time} (the time of the token
 * request, from the portal's clock), which the portal needs to accept an account link.
 *
 * <p><b>Security.</b> For development and tests only: it signs in anyone as anyone, and accepts any client secret. It
 * listens on 127.0.0.1 only, over plain HTTP (which the portal's SSO configuration allows for a loopback issuer and
 * for nothing else), and forgets everything when it stops.
 */
final class DevelopmentProvider implements AutoCloseable {
  /** The issuer's path segment at the mock server. */
  static final String ISSUER_ID = "portal-dev";
  /** This portal's client id at the development provider. */
  static final String CLIENT_ID = "provider-portal";
  /** The mock server accepts any secret; the portal still needs one to send. */
  static final String CLIENT_SECRET = "development-provider-accepts-any-secret";
  /** The login page's file in the data folder. */
  static final String LOGIN_PAGE = "dev-provider-login.html";

  private final MockOAuth2Server server;
  private final URI issuer;

  private DevelopmentProvider(MockOAuth2Server server, URI issuer) {
    this.server = server;
    this.issuer = issuer;
  }

  /**
   * Starts the provider on a free loopback port and waits until it answers its discovery document and key set, so the
   * portal's first discovery does not meet its cold start.
   *
   * @param dataDir where the login page is written
   * @param clock the {@code auth_time} of each sign-in
   */
  static DevelopmentProvider start(Path dataDir, InstantSource clock)
      throws IOException, InterruptedException {
    Path loginPage = dataDir.resolve(LOGIN_PAGE);
    try (InputStream page = DevelopmentProvider.class.getResourceAsStream(LOGIN_PAGE)) {
      if (page == null) {
        throw new IOException(LOGIN_PAGE + " is missing from the class path");
      }
      Files.copy(page, loginPage, StandardCopyOption.REPLACE_EXISTING);
    }
    OAuth2Config config = new OAuth2Config(
        true,
        loginPage.toString(),
        null,
        false,
        new OAuth2TokenProvider(),
        Set.of(new SignedInNow(clock)));
    MockOAuth2Server server = new MockOAuth2Server(config);
    server.start(InetAddress.getLoopbackAddress(), 0);
    DevelopmentProvider provider =
        new DevelopmentProvider(server, URI.create(server.issuerUrl(ISSUER_ID).toString()));
    try {
      provider.warmUp();
    } catch (IOException | InterruptedException | RuntimeException e) {
      provider.close();
      throw e;
    }
    return provider;
  }

  /** The provider's issuer identifier, such as {@code http://localhost:41234/portal-dev}. */
  URI issuer() {
    return issuer;
  }

  private void warmUp() throws IOException, InterruptedException {
    HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (String path : List.of("/.well-known/openid-configuration", "/jwks")) {
      HttpResponse<Void> r = http.send(
          HttpRequest.newBuilder(URI.create(issuer + path))
              .timeout(Duration.ofSeconds(60))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() != 200) {
        throw new IOException(
            "the development OpenID provider answered " + r.statusCode() + " for " + path);
      }
    }
  }

  @Override
  public void close() {
    server.shutdown();
  }

  /**
   * Tokens for this portal's client, for the subject typed at the login page (the mock server puts it in), with
   * {@code auth_time} now.
   */
  private static final class SignedInNow extends DefaultOAuth2TokenCallback {
    private final InstantSource clock;

    SignedInNow(InstantSource clock) {
      super(ISSUER_ID, "typed-at-the-login-page", "JWT", List.of(CLIENT_ID), Map.of(), 3600L);
      this.clock = clock;
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest tokenRequest) {
      Map<String, Object> claims = new HashMap<>(super.addClaims(tokenRequest));
      claims.put("auth_time", clock.instant().getEpochSecond());
      return claims;
    }
  }
}
