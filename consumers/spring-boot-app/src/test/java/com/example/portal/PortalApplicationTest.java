package com.example.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The application in its own JVM, as an operator starts it: the key ring in the real environment variable
 * {@code PORTCULLIS_KEY_RING}, behind a TLS-terminating proxy on this machine. A protected page sends an anonymous
 * visitor to the login page, and the right password logs in. One start serves every test; each test is a new browser
 * (an empty cookie jar).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalApplicationTest {
  private static final Pattern STARTED = Pattern.compile("started on port (\\d+)");
  private static final Pattern CSRF = Pattern.compile("name=_csrf value=([A-Za-z0-9_-]+)");
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=hidden name=(\\w+) value=(?:\"([^\"]*)\"|([^\\s>\"]+))>");

  private Process process;
  private final List<String> output = new ArrayList<>();
  private URI base;
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final Map<String, String> jar = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    String ring = "key 0a1b2c3d ACTIVE 2026-01-01T00:00:00Z "
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), PortalApplication.class.getName(),
        "--server.port=0", "--server.address=127.0.0.1", "--portcullis.transport.trusted-proxies=127.0.0.1")
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("PORTCULLIS"));
    builder.environment().put("PORTCULLIS_KEY_RING", ring);
    process = builder.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          synchronized (output) {
            output.add(line);
          }
          Matcher m = STARTED.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (Exception e) {
        // the process ended
      }
      port.completeExceptionally(new AssertionError("the application did not start:\n" + output()));
    });
    reader.setDaemon(true);
    reader.start();
    base = URI.create("http://127.0.0.1:" + port.get(3, TimeUnit.MINUTES) + "/");
  }

  @BeforeEach
  void newBrowser() {
    jar.clear();
  }

  @AfterAll
  void stop() throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  @Test
  void anonymousVisitor_isSentToLogin_andTheRightPasswordLogsIn() throws Exception {
    HttpResponse<String> home = send(get("/"));
    assertEquals(303, home.statusCode(), output());
    assertTrue(home.headers().firstValue("Location").orElse("").startsWith("/login"));

    HttpResponse<String> wrong = send(post("/login", csrf(), "alice", "not-the-password"));
    assertEquals(303, wrong.statusCode());
    assertEquals(303, send(get("/")).statusCode(), "still anonymous after a wrong password");

    HttpResponse<String> right = send(post("/login", csrf(), "alice", "alice-consumer-pass"));
    assertEquals(303, right.statusCode());
    HttpResponse<String> page = send(get("/"));
    assertEquals(200, page.statusCode());
    assertTrue(page.body().startsWith("<p>Hello Alice Example</p>"), page.body());
  }

  /**
   * Regression: the quick start's login form dropped {@code returnTo}, so a visitor who logged in from a protected
   * page landed on {@code /} instead of the page they asked for.
   */
  @Test
  void loginFromAProtectedPage_withTheFormAsRendered_landsOnThatPage() throws Exception {
    String asked = "/?tab=reports&page=2";
    HttpResponse<String> protectedPage = send(get(asked));
    assertEquals(303, protectedPage.statusCode(), output());
    String loginPage = protectedPage.headers().firstValue("Location").orElseThrow();
    assertTrue(loginPage.startsWith("/login?returnTo="), loginPage);

    Map<String, String> fields = hiddenFields(send(get(loginPage)).body());
    assertEquals(asked, fields.get("returnTo"), "the form carries returnTo on");
    fields.put("username", "alice");
    fields.put("password", "alice-consumer-pass");
    fields.put("acceptTerms", "yes");
    HttpResponse<String> login = send(post("/login", fields));
    assertEquals(303, login.statusCode(), output());
    assertEquals(asked, login.headers().firstValue("Location").orElse(""));
    HttpResponse<String> page = send(get(asked));
    assertEquals(200, page.statusCode());
    assertTrue(page.body().startsWith("<p>Hello Alice Example</p>"), page.body());
  }

  /** The home page's logout form, posted as rendered, ends the login: the next page asks for one again. */
  @Test
  void theHomePagesLogoutForm_logsOut() throws Exception {
    assertEquals(303, send(post("/login", csrf(), "alice", "alice-consumer-pass")).statusCode(), output());
    HttpResponse<String> home = send(get("/"));
    assertEquals(200, home.statusCode(), output());
    Matcher action = Pattern.compile("<form method=post action=([^\\s>]+)>").matcher(home.body());
    assertTrue(action.find(), "the home page has a logout form: " + home.body());
    assertEquals("/logout", action.group(1));
    Map<String, String> fields = hiddenFields(home.body());
    assertTrue(fields.containsKey("_csrf"), home.body());

    HttpResponse<String> logout = send(post(action.group(1), fields));
    assertEquals(303, logout.statusCode(), output());
    HttpResponse<String> after = send(get("/"));
    assertEquals(303, after.statusCode(), "logged out: the home page sends to the login page again");
    assertTrue(after.headers().firstValue("Location").orElse("").startsWith("/login"));
  }

  /** The hidden fields of the page's form, as a browser would post them (HTML character references decoded). */
  private static Map<String, String> hiddenFields(String html) {
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher m = HIDDEN.matcher(html);
    while (m.find()) {
      String value = m.group(2) != null ? m.group(2) : m.group(3);
      fields.put(m.group(1), value.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
          .replace("&gt;", ">").replace("&amp;", "&"));
    }
    return fields;
  }

  @Test
  void plainHttpWithoutTheProxy_isSentToTheCanonicalHost() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(308, response.statusCode());
    assertEquals("https://portal.example/", response.headers().firstValue("Location").orElse(""));
  }

  private String csrf() throws Exception {
    Matcher m = CSRF.matcher(send(get("/login")).body());
    assertTrue(m.find(), "the login form has a CSRF token");
    return m.group(1);
  }

  private HttpRequest.Builder get(String path) {
    return request(path).GET();
  }

  private HttpRequest.Builder post(String path, String csrf, String username, String password) {
    return post(path, Map.of("username", username, "password", password, "acceptTerms", "yes", "_csrf", csrf));
  }

  private HttpRequest.Builder post(String path, Map<String, String> fields) {
    String form = fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return request(path).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  /** What the TLS-terminating proxy in front of the application sends on, with the browser's cookies. */
  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
        .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "portal.example")
        .header("X-Forwarded-For", "192.0.2.10");
    if (!jar.isEmpty()) {
      request.header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    return request;
  }

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
}
