package com.example.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal over real HTTP, as a browser behind the TLS-terminating proxy sees it: a protected page sends an
 * anonymous visitor to the login page, a wrong password is refused, the right one logs in.
 */
class PortalAppTest {
  private static final String PASSWORD = "alice-consumer-pass";

  @TempDir Path dir;
  private InMemoryUserDirectory users;
  private PortalApp app;
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).build();
  /** The browser's cookies. */
  private final Map<String, String> jar = new LinkedHashMap<>();

  @BeforeEach
  void start() throws Exception {
    SecureRandom random = new SecureRandom();
    Path keys = dir.resolve("keys.txt");
    KeyRingSources.createFile(
        KeyRing.builder().add(0x0a1b2c3d, KeyStatus.ACTIVE, Instant.parse("2026-01-01T00:00:00Z"),
            KeyMaterial.generate(random)).build(), keys);
    users = new InMemoryUserDirectory(PasswordHasher.standard(random))
        .add("alice", PASSWORD.toCharArray(), new PortalUser("u-alice", "Alice Example", "alice@riverside.example",
            Set.of("PROVIDER"), "riverside", true, null));
    app = PortalApp.start(0, dir, users);
  }

  @AfterEach
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void anonymousVisitor_isSentToLogin_andTheRightPasswordLogsIn() throws Exception {
    HttpResponse<String> protectedPage = send(get("/reports/42"));
    assertEquals(303, protectedPage.statusCode());
    assertEquals("/login?returnTo=%2Freports%2F42", protectedPage.headers().firstValue("Location").orElse(""));

    HttpResponse<String> privacy = send(get("/privacy"));
    assertEquals(200, privacy.statusCode());
    assertTrue(privacy.body().startsWith("user=anonymous"), privacy.body());

    HttpResponse<String> loginPage = send(get("/login?returnTo=%2Freports%2F42"));
    assertEquals(200, loginPage.statusCode());
    String csrf = csrf(loginPage);

    HttpResponse<String> wrong = send(post("/login", csrf, "alice", "not-the-password", "/reports/42"));
    assertEquals(303, wrong.statusCode());
    assertTrue(wrong.headers().firstValue("Location").orElse("").startsWith("/login?error=1"));
    assertEquals(303, send(get("/reports/42")).statusCode(), "still anonymous after a wrong password");

    csrf = csrf(send(get("/login")));
    HttpResponse<String> right = send(post("/login", csrf, "alice", PASSWORD, "/reports/42"));
    assertEquals(303, right.statusCode());
    assertEquals("/reports/42", right.headers().firstValue("Location").orElse(""));

    HttpResponse<String> report = send(get("/reports/42"));
    assertEquals(200, report.statusCode());
    assertTrue(report.body().startsWith("user=u-alice"), report.body());
    assertTrue(report.headers().firstValue("Strict-Transport-Security").isPresent());

    app.close();
    app = null;
    String audit = Files.readString(dir.resolve("audit.jsonl"));
    assertTrue(audit.contains("\"authn_login_fail\""), "the wrong password is audited");
    assertTrue(audit.contains("\"authn_login_success\""), "the login is audited");
    assertFalse(audit.contains(PASSWORD), "no password in the audit log");
  }

  @Test
  void aRestartOnTheSameDataFolder_opensTheAuditFileAgain() throws Exception {
    app.close();
    app = null;
    // As a redeployed application: the first instance released the audit file when its context shut down.
    app = PortalApp.start(0, dir, users);
    HttpResponse<String> loginPage = send(get("/login"));
    assertEquals(200, loginPage.statusCode());
    HttpResponse<String> right = send(post("/login", csrf(loginPage), "alice", PASSWORD, "/reports/42"));
    assertEquals("/reports/42", right.headers().firstValue("Location").orElse(""));
    assertTrue(send(get("/reports/42")).body().startsWith("user=u-alice"));
  }

  @Test
  void plainHttpWithoutTheProxy_isSentToHttps() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(app.uri().resolve("/reports/42")).GET()
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(308, response.statusCode());
    assertTrue(response.headers().firstValue("Location").orElse("").startsWith("https://"));
  }

  private HttpRequest.Builder get(String pathAndQuery) {
    return request(pathAndQuery).GET();
  }

  private HttpRequest.Builder post(String path, String csrf, String username, String password, String returnTo) {
    Map<String, String> fields = Map.of("username", username, "password", password, "acceptTerms", "yes",
        "_csrf", csrf, "returnTo", returnTo);
    String form = fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return request(path).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  /** What the TLS-terminating proxy in front of the portal sends on, with the browser's cookies. */
  private HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder request = HttpRequest.newBuilder(app.uri().resolve(pathAndQuery))
        .timeout(Duration.ofSeconds(20))
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-For", "192.0.2.10");
    if (!jar.isEmpty()) {
      request.header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    return request;
  }

  /** Sends and keeps the response's cookies, as a browser would (an expired cookie is dropped). */
  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    for (String header : response.headers().allValues("Set-Cookie")) {
      for (HttpCookie cookie : HttpCookie.parse(header)) {
        if (cookie.getMaxAge() == 0 || cookie.getValue().isEmpty()) {
          jar.remove(cookie.getName());
        } else {
          jar.put(cookie.getName(), cookie.getValue());
        }
      }
    }
    return response;
  }

  private static String csrf(HttpResponse<String> page) {
    return page.body().lines().filter(l -> l.startsWith("csrf=")).map(l -> l.substring(5)).findFirst()
        .orElseThrow(() -> new AssertionError("no CSRF token on the page: " + page.body()));
  }
}
