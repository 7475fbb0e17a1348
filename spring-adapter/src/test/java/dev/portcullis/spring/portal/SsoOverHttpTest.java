package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.testing.RecordingAuditSink;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Single sign-on switched on by {@code portcullis.sso.*} alone, in the Spring MVC test portal on embedded Tomcat, with
 * mock-oauth2-server as the provider over HTTP: local login, upgrade, link, logout, SSO login.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
@ExtendWith(OutputCaptureExtension.class)
class SsoOverHttpTest {
  private static final String SECRET = "client-secret-from-the-environment-42";
  private static final String UPGRADE_COOKIE = "__Host-portal-sso";
  private static MockOAuth2Server provider;
  private static int port;

  @DynamicPropertySource
  static void sso(DynamicPropertyRegistry registry) throws Exception {
    provider = new MockOAuth2Server();
    provider.start(InetAddress.getLoopbackAddress(), 0);
    // The redirect URI is configuration, so the portal's port is chosen before it starts.
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    registry.add("server.port", () -> port);
    registry.add("portcullis.sso.enabled", () -> "true");
    registry.add("portcullis.sso.issuer", () -> provider.issuerUrl("default").toString());
    registry.add("portcullis.sso.client-id", () -> "portal");
    registry.add("portcullis.sso.client-secret", () -> SECRET);
    registry.add("portcullis.sso.redirect-uri", () -> "http://127.0.0.1:" + port + "/sso/callback");
    registry.add("portcullis.sso.scopes", () -> "openid,profile");
    registry.add("portcullis.sso.cookie-name", () -> UPGRADE_COOKIE);
  }

  @AfterAll
  static void stopProvider() {
    provider.shutdown();
  }

  @Autowired
  AuditSink sink;

  @Autowired
  AuditLog audit;

  @Autowired
  AccountLinkStore links;

  private final HttpClient providerClient =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private List<AuditEvent> events(AuditEventType type) throws InterruptedException {
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    return ((RecordingAuditSink) sink)
        .events().stream().filter(e -> e.type().equals(type)).toList();
  }

  private static String query(String url, String name) {
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      if (pair.startsWith(name + "=")) {
        return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The provider signs {@code subject} in and sends the browser back: the callback's path and query. */
  private String throughProvider(HttpResponse<String> toProvider, String subject) throws Exception {
    assertThat(toProvider.statusCode()).as(toProvider.body()).isEqualTo(303);
    String authorize = toProvider.headers().firstValue("Location").orElseThrow();
    assertThat(authorize)
        .startsWith(provider.issuerUrl("default") + "/authorize?")
        .doesNotContain(SECRET);
    assertThat(query(authorize, "redirect_uri"))
        .isEqualTo("http://127.0.0.1:" + port + "/sso/callback");
    assertThat(query(authorize, "scope")).isEqualTo("openid profile");
    provider.enqueueCallback(new DefaultOAuth2TokenCallback(
        "default", subject, "JWT", List.of("portal"), Map.of(), 3600));
    HttpResponse<String> back = providerClient.send(
        HttpRequest.newBuilder(URI.create(authorize)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if ("login".equals(query(authorize, "prompt"))) {
      // An account link makes the provider authenticate the user again: its login page, signed in
      // as the subject, with the real time as auth_time.
      assertThat(back.statusCode()).isEqualTo(200);
      String claims = "{\"auth_time\":" + System.currentTimeMillis() / 1000 + "}";
      back = providerClient.send(
          HttpRequest.newBuilder(URI.create(authorize))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "username=" + java.net.URLEncoder.encode(subject, StandardCharsets.UTF_8)
                      + "&claims=" + java.net.URLEncoder.encode(claims, StandardCharsets.UTF_8)))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
    assertThat(back.statusCode()).isEqualTo(302);
    URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
    return callback.getRawPath() + "?" + callback.getRawQuery();
  }

  @Test
  void upgrade_link_logout_ssoLogin_throughTheStartersProperties(CapturedOutput output)
      throws Exception {
    Browser b = new Browser("http://127.0.0.1:" + port);
    assertThat(b.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(b.cookies()).containsKey(UPGRADE_COOKIE);
    assertThat(events(AuditEventType.SSO_UPGRADE_OFFERED)).hasSize(1);

    HttpResponse<String> upgrade =
        b.post("/sso/upgrade", Map.of("_csrf", Browser.csrfIn(b.get("/whoami").body())));
    HttpResponse<String> callback = b.get(throughProvider(upgrade, "sub-alice"));
    assertThat(callback.statusCode()).isEqualTo(303);
    assertThat(links.isLinked("u-alice"))
        .as("linked only once the user confirms")
        .isFalse();
    HttpResponse<String> confirmation = b.get("/sso/link");
    assertThat(confirmation.statusCode()).isEqualTo(200);
    assertThat(confirmation.body()).contains("sub-alice");
    String formCsrf = confirmation
        .body()
        .replaceFirst("(?s).*name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\".*", "$1");
    HttpResponse<String> linked =
        b.post("/sso/link", Map.of("_csrf", formCsrf, "decision", "confirm"));
    assertThat(linked.statusCode()).isEqualTo(303);
    assertThat(links.userFor(provider.issuerUrl("default").toString(), "sub-alice"))
        .contains("u-alice");
    assertThat(b.cookies()).doesNotContainKey(UPGRADE_COOKIE);
    assertThat(events(AuditEventType.SSO_LINK))
        .singleElement()
        .satisfies(e -> assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS));

    assertThat(b.logout().statusCode()).isEqualTo(303);
    assertThat(b.get("/whoami").body()).doesNotStartWith("u-alice");

    // The SSO login is a POST with the CSRF token the login page shows, as the login form is.
    String loginCsrf = Browser.csrfIn(b.get("/login").body());
    HttpResponse<String> ssoLogin =
        b.get(throughProvider(b.post("/sso/login", Map.of("_csrf", loginCsrf)), "sub-alice"));
    assertThat(ssoLogin.statusCode()).isEqualTo(303);
    assertThat(b.get("/whoami").body()).startsWith("u-alice ");
    assertThat(events(AuditEventType.AUTHN_LOGIN_SUCCESS))
        .anyMatch(e -> e.action().equals(java.util.Optional.of("sso_login")));

    assertThat(output.getAll())
        .as("start-up and requests logged")
        .isNotEmpty()
        .doesNotContain(SECRET);
  }
}
