package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestBrowser;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * Single sign-on for {@link WarNode}s: a real OpenID provider on loopback (mock-oauth2-server, signing with the real
 * time), the {@code portcullis.sso.*} environment of a node that uses it, and what the user's browser does between
 * the node and the provider.
 */
final class WarSso implements AutoCloseable {
  static final String CLIENT = "portal";
  static final String SECRET = "war-client-secret-from-the-environment-42";
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern PAGE_CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private final MockOAuth2Server server = new MockOAuth2Server();
  private final HttpClient client =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  final String issuer;

  WarSso() throws Exception {
    server.start(InetAddress.getLoopbackAddress(), 0);
    try {
      issuer = server.issuerUrl("default").toString();
      // The provider makes its key and handlers on first use; a node's discovery then meets a ready
      // provider.
      for (String path : List.of("/.well-known/openid-configuration", "/jwks")) {
        assertThat(client
                .send(
                    HttpRequest.newBuilder(URI.create(issuer + path))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
            .isEqualTo(200);
      }
    } catch (Exception | Error e) {
      server.shutdown();
      throw e;
    }
  }

  /**
   * Starts a node whose settings ({@code more} and the SSO ones for this provider, the secret in the environment)
   * name its address in the redirect URI; its clock is the real time, the provider's.
   */
  WarNode start(java.nio.file.Path dir, Map<String, String> more, Map<String, Object> attributes)
      throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Map<String, String> settings = new HashMap<>(more);
    settings.putAll(settings(port));
    return WarNode.start(
        WarNode.environment(dir, settings), attributes, InstantSource.system(), port);
  }

  /** The environment variables that turn single sign-on on for a node on {@code port}. */
  Map<String, String> settings(int port) {
    return Map.of(
        "PORTCULLIS_SSO_ISSUER", issuer,
        "PORTCULLIS_SSO_CLIENT_ID", CLIENT,
        "PORTCULLIS_SSO_CLIENT_SECRET", SECRET,
        "PORTCULLIS_SSO_REDIRECT_URI", "http://127.0.0.1:" + port + "/sso/callback",
        "PORTCULLIS_SSO_SCOPES", "openid,profile");
  }

  /**
   * alice logs in with her password on {@code linkOn}, takes the upgrade offered, signs in at the provider as {@code
   * subject} and confirms the link; then logs out, and a fresh browser logs in on {@code loginOn} through the provider
   * as {@code subject}, and is alice.
   */
  void assertLinkThenSsoLogin(WarNode linkOn, WarNode loginOn, String subject) throws Exception {
    TestBrowser local = new TestBrowser(linkOn.base());
    assertThat(WarNode.logIn(local).statusCode()).isEqualTo(303);
    assertThat(local.cookies()).as("the upgrade offered").containsKey("__Host-portcullis-sso");
    HttpResponse<String> upgrade = local.post("/sso/upgrade", Map.of("_csrf", pageCsrf(local)));
    assertThat(local.get(callback(authorize(upgrade, linkOn), subject, linkOn)).statusCode())
        .isEqualTo(303);
    HttpResponse<String> confirmation = local.get("/sso/link");
    assertThat(confirmation.statusCode()).isEqualTo(200);
    assertThat(confirmation.body()).contains(subject);
    String formCsrf = TestBrowser.csrfToken(FORM_CSRF, confirmation.body()).orElseThrow();
    assertThat(local
            .post("/sso/link", Map.of("_csrf", formCsrf, "decision", "confirm"))
            .statusCode())
        .isEqualTo(303);
    assertThat(WarNode.logOut(local).statusCode()).isEqualTo(303);
    assertThat(WarNode.whoami(local)).isEqualTo("anonymous");

    TestBrowser sso = new TestBrowser(loginOn.base());
    String loginCsrf =
        TestBrowser.csrfToken(PAGE_CSRF, sso.get("/login").body()).orElseThrow();
    HttpResponse<String> start = sso.post("/sso/login", Map.of("_csrf", loginCsrf));
    HttpResponse<String> back = sso.get(callback(authorize(start, loginOn), subject, loginOn));
    assertThat(back.statusCode()).isEqualTo(303);
    assertThat(WarNode.whoami(sso)).as("logged in through the provider").isEqualTo("u-alice");
  }

  private static String pageCsrf(TestBrowser browser) throws Exception {
    return TestBrowser.csrfToken(PAGE_CSRF, browser.get("/whoami").body()).orElseThrow();
  }

  /** The node's redirect to the provider, with the settings' client id and redirect URI, and never the secret. */
  private String authorize(HttpResponse<String> toProvider, WarNode node) {
    assertThat(toProvider.statusCode()).as(toProvider.body()).isEqualTo(303);
    String authorize = toProvider.headers().firstValue("Location").orElseThrow();
    assertThat(authorize).startsWith(issuer + "/authorize?").doesNotContain(SECRET);
    assertThat(parameter(authorize, "client_id")).isEqualTo(CLIENT);
    assertThat(parameter(authorize, "redirect_uri")).isEqualTo(node.base() + "/sso/callback");
    assertThat(parameter(authorize, "scope")).isEqualTo("openid profile");
    return authorize;
  }

  /**
   * The provider's answer to {@code authorize} for a user who signs in as {@code subject}: the path and query of the
   * node's callback. An account link asks for a fresh sign-in ({@code prompt=login}), which the provider's login form
   * gives, with the real time as {@code auth_time}.
   */
  private String callback(String authorize, String subject, WarNode node) throws Exception {
    server.enqueueCallback(
        new DefaultOAuth2TokenCallback("default", subject, "JWT", List.of(CLIENT), Map.of(), 3600));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(authorize));
    if ("login".equals(parameter(authorize, "prompt"))) {
      String form = "username=" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "&claims="
          + URLEncoder.encode(
              "{\"auth_time\":" + System.currentTimeMillis() / 1000 + "}", StandardCharsets.UTF_8);
      request
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form));
    }
    HttpResponse<String> answer =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(302);
    URI back = URI.create(answer.headers().firstValue("Location").orElseThrow());
    assertThat(back.toString()).startsWith(node.base() + "/sso/callback?");
    return back.getRawPath() + "?" + back.getRawQuery();
  }

  private static String parameter(String url, String name) {
    String query = URI.create(url).getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith(name + "=")) {
        return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
