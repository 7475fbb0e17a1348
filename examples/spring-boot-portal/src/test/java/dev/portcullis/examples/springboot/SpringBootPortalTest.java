package dev.portcullis.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example portal as a browser uses it, on its own development key file, with the loopback address as a trusted
 * proxy, as behind a TLS-terminating one.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "portcullis.transport.trusted-proxies=127.0.0.1")
class SpringBootPortalTest {
  private static final Pattern LOCATION =
      Pattern.compile("\r\nLocation: ([^\r]*)\r\n", Pattern.CASE_INSENSITIVE);
  private static final Pattern CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  @LocalServerPort
  int port;

  @Autowired
  ApplicationContext context;

  @DynamicPropertySource
  static void keys(DynamicPropertyRegistry registry) throws IOException {
    Path file = Files.createTempDirectory("portal-keys").resolve("keys.txt");
    InstantSource clock = InstantSource.fixed(Instant.parse("2026-11-01T00:00:00Z"));
    assertThat(DevKeyFile.ensure(file, clock, new SecureRandom())).isTrue();
    assertThat(DevKeyFile.ensure(file, clock, new SecureRandom()))
        .as("an existing file is kept")
        .isFalse();
    assertThat(KeyRingSources.fromFile(file).keys()).hasSize(1);
    registry.add("portcullis.keys.file", file::toString);
  }

  /** A browser on the portal that logs in by its form, accepting the terms. */
  private final class Visitor extends TestBrowser {
    Visitor() {
      super("http://127.0.0.1:" + port);
    }

    HttpResponse<String> logIn(String user, String password)
        throws IOException, InterruptedException {
      Map<String, String> form = new LinkedHashMap<>();
      form.put("username", user);
      form.put("password", password);
      form.put("acceptTerms", "yes");
      form.put("_csrf", csrf(get("/login").body()));
      return post("/login", form);
    }
  }

  private static String csrf(String html) {
    return TestBrowser.csrfToken(CSRF, html).orElse("");
  }

  @Test
  void councilOfficer_seesTheCouncilPage_andLogsOutWithTheFormsCsrfToken() throws Exception {
    Visitor carol = new Visitor();
    assertThat(carol.logIn("carol", "carol-demo-pw").statusCode()).isEqualTo(303);
    HttpResponse<String> council = carol.get("/council");
    assertThat(council.statusCode()).isEqualTo(200);
    assertThat(council.body())
        .contains("Hello, Carol Clark (council)")
        .contains("action=\"/logout\"");
    HttpResponse<String> out = carol.post("/logout", Map.of("_csrf", csrf(council.body())));
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(carol.get("/council").statusCode()).isEqualTo(303);
  }

  /**
   * The security headers are Portcullis' alone, each once: the portal's own chain switches Spring Security's header
   * writer off, as {@code PortcullisHttpConfigurer} does (its cache and XSS-filter headers would sit beside them).
   */
  @Test
  void securityHeaders_arePortcullisOwn_eachOnce() throws Exception {
    HttpResponse<String> login = new Visitor().get("/login");

    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.headers().allValues("X-Frame-Options")).containsExactly("DENY");
    assertThat(login.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
    assertThat(login.headers().firstValue("X-XSS-Protection")).isEmpty();
    assertThat(login.headers().firstValue("Pragma")).isEmpty();
  }

  /**
   * Regression: {@code @PreAuthorize} guards the council page's handler method only, and Spring MVC answers {@code
   * OPTIONS} for a {@code @GetMapping} itself, so a provider got {@code 200} with {@code Allow: GET,HEAD,OPTIONS} for
   * the page that answers her {@code GET} with {@code 403}.
   */
  @Test
  void provider_isRefusedTheCouncilPagesOptions_andHead_asItsGet() throws Exception {
    Visitor alice = new Visitor();
    alice.logIn("alice", "alice-demo-pw");
    Visitor carol = new Visitor();
    carol.logIn("carol", "carol-demo-pw");
    for (String method : new String[] {"OPTIONS", "HEAD"}) {
      HttpResponse<String> refused = alice.send(HttpRequest.newBuilder(alice.uri("/council"))
          .method(method, HttpRequest.BodyPublishers.noBody()));
      assertThat(refused.statusCode()).as(method).isEqualTo(403);
      assertThat(refused.headers().firstValue("Allow")).as(method).isEmpty();
      assertThat(carol
              .send(HttpRequest.newBuilder(carol.uri("/council"))
                  .method(method, HttpRequest.BodyPublishers.noBody()))
              .statusCode())
          .as(method + " for a council officer")
          .isEqualTo(200);
    }
  }

  @Test
  void provider_readsReports_butIsForbiddenTheCouncilPage() throws Exception {
    Visitor alice = new Visitor();
    alice.logIn("alice", "alice-demo-pw");
    assertThat(alice.get("/reports").body()).contains("Riverside care home inspection");
    assertThat(alice.get("/reports/1").statusCode()).isEqualTo(200);
    assertThat(alice.get("/council").statusCode()).isEqualTo(403);
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void provider_seesAndOpensOnlyHerOwnOrganisationsReports_anotherOrganisationsIsNotFound(
      CapturedOutput output) throws Exception {
    Visitor alice = new Visitor(); // riverside
    alice.logIn("alice", "alice-demo-pw");
    HttpResponse<String> list = alice.get("/reports");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body())
        .contains("Riverside care home inspection")
        .contains("href=\"/reports/1\"")
        .doesNotContain("Hillview day centre inspection")
        .doesNotContain("Council summary")
        .doesNotContain("href=\"/reports/2\"")
        .doesNotContain("href=\"/reports/3\"");
    HttpResponse<String> own = alice.get("/reports/1");
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).contains("Riverside care home inspection");
    // Another organisation's report is answered as if there were none, so ids cannot be enumerated.
    int missing = alice.get("/reports/99").statusCode();
    assertThat(missing).isEqualTo(404);
    for (String other : new String[] {"/reports/2", "/reports/3"}) {
      HttpResponse<String> response = alice.get(other);
      assertThat(response.statusCode()).as(other).isEqualTo(missing);
      assertThat(response.body())
          .as(other)
          .doesNotContain("Hillview day centre inspection")
          .doesNotContain("Council summary");
    }
    // The audit log writes on its own thread.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!output.getAll().contains("denied: report of another organisation")
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(output.getAll())
        .as("the denial is audited")
        .contains("denied: report of another organisation");
  }

  @Test
  void councilOfficer_seesAndOpensEveryOrganisationsReports() throws Exception {
    Visitor carol = new Visitor();
    carol.logIn("carol", "carol-demo-pw");
    assertThat(carol.get("/reports").body())
        .contains("Riverside care home inspection")
        .contains("Hillview day centre inspection")
        .contains("Council summary");
    for (String id : new String[] {"1", "2", "3"}) {
      assertThat(carol.get("/reports/" + id).statusCode()).as(id).isEqualTo(200);
    }
  }

  @Test
  void visitor_isSentToTheLoginPage_andAWrongPasswordGoesBackThereWithAnError() throws Exception {
    Visitor v = new Visitor();
    HttpResponse<String> reports = v.get("/reports");
    assertThat(reports.statusCode()).isEqualTo(303);
    assertThat(reports.headers().firstValue("Location")).hasValue("/login?returnTo=%2Freports");
    HttpResponse<String> wrong = v.logIn("alice", "not-her-password");
    assertThat(wrong.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("error=1"));
    assertThat(v.get("/login?error=1").body()).contains("That did not work");
  }

  @Test
  void visitor_behindTheProxy_isSentToARelativeLoginUrl_whateverTheHostHeader() throws Exception {
    Map<String, String> answers = new LinkedHashMap<>();
    for (String host : new String[] {"portal.example", "evil.example"}) {
      String head = rawGet(
          "/reports/1", "Host: " + host, "X-Forwarded-Proto: https", "X-Forwarded-Host: " + host);
      Matcher location = LOCATION.matcher(head);
      String status = head.split(" ")[1];
      answers.put(host, status + " " + (location.find() ? location.group(1) : "no Location"));
    }
    assertThat(answers)
        .containsExactly(
            entry("portal.example", "303 /login?returnTo=%2Freports%2F1"),
            entry("evil.example", "303 /login?returnTo=%2Freports%2F1"));
  }

  @Test
  void visitor_sentToTheLoginPage_isBroughtBackToTheReportAfterLoggingIn() throws Exception {
    Visitor alice = new Visitor();
    String login = alice.get("/reports/1").headers().firstValue("Location").orElseThrow();
    String page = alice.get(login).body();
    assertThat(page).contains("name=\"returnTo\" value=\"/reports/1\"");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "alice");
    form.put("password", "alice-demo-pw");
    form.put("acceptTerms", "yes");
    form.put("_csrf", csrf(page));
    form.put("returnTo", "/reports/1");
    HttpResponse<String> in = alice.post("/login", form);
    assertThat(in.statusCode()).isEqualTo(303);
    assertThat(in.headers().firstValue("Location")).hasValue("/reports/1");
    assertThat(alice.get("/reports/1").body()).contains("Riverside care home inspection");
  }

  /** The status line and headers of a GET sent with exactly {@code headerLines} (the Host header among them). */
  private String rawGet(String path, String... headerLines) throws IOException {
    String response = rawResponse(path, headerLines);
    int end = response.indexOf("\r\n\r\n");
    return end < 0 ? response : response.substring(0, end + 2);
  }

  /** The whole response, head and body, to a {@code GET} with exactly these header lines. */
  private String rawResponse(String path, String... headerLines) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
      for (String line : headerLines) {
        request.append(line).append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void springSecurityKnowsNoUsers_springBootsGeneratedUserIsNotCreated() {
    assertThat(context.getBeansOfType(InMemoryUserDetailsManager.class)).isEmpty();
    assertThatThrownBy(() -> context.getBean(UserDetailsService.class).loadUserByUsername("user"))
        .isInstanceOf(UsernameNotFoundException.class);
  }

  /**
   * Regression: a browser's error page was Spring Boot's "Whitelabel Error Page", which names the framework and says
   * the application maps no error page. The portal's own fixed pages answer instead, with nothing of the request in
   * them.
   */
  @Test
  void browsersErrorPages_areThePortalsOwn_notSpringBootsWhitelabelPage() throws Exception {
    Visitor alice = new Visitor();
    alice.logIn("alice", "alice-demo-pw");
    for (String path : new String[] {"/no-such-page", "/council", "/reports/2"}) {
      HttpResponse<String> page = alice.send(HttpRequest.newBuilder(alice.uri(path))
          .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
          .GET());
      assertThat(page.statusCode()).as(path).isIn(403, 404);
      assertThat(page.body())
          .as(path)
          .doesNotContain("Whitelabel")
          .doesNotContain("no explicit mapping")
          .doesNotContain(path)
          .contains("<h1>");
      assertThat(page.headers().firstValue("Cache-Control")).as(path).contains("no-store");
    }
  }

  /**
   * Regression: the example showed every visitor the health details ({@code show-details=always}): the active key's id,
   * the stores, the disk's size and the folder the portal runs in. Anyone may still see the status, as probes need;
   * only a council officer sees the details.
   */
  @Test
  void health_isUpForEveryone_andItsDetailsAreForCouncilOfficersOnly() throws Exception {
    HttpResponse<String> anonymous = new Visitor().get("/actuator/health");
    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(anonymous.body())
        .contains("\"status\":\"UP\"")
        .doesNotContain("activeKey")
        .doesNotContain("portcullis")
        .doesNotContain("diskSpace")
        .doesNotContain("\"path\"");
    // Regression: the probe groups the status names were closed: a container's probe got a 303 to
    // the login page,
    // which probes count as success whatever the portal's health.
    for (String group : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
      HttpResponse<String> probe = new Visitor().get(group);
      assertThat(probe.statusCode()).as(group).isEqualTo(200);
      assertThat(probe.body()).as(group).contains("\"status\":\"UP\"");
    }
    assertThat(new Visitor().get("/actuator/health/portcullis").statusCode())
        .as("a component's health stays closed")
        .isEqualTo(303);

    Visitor alice = new Visitor();
    alice.logIn("alice", "alice-demo-pw");
    assertThat(alice.get("/actuator/health").body())
        .contains("\"status\":\"UP\"")
        .doesNotContain("activeKey")
        .doesNotContain("diskSpace");

    Visitor carol = new Visitor();
    carol.logIn("carol", "carol-demo-pw");
    HttpResponse<String> officer = carol.get("/actuator/health");
    assertThat(officer.statusCode()).isEqualTo(200);
    assertThat(officer.body())
        .contains("\"portcullis\"")
        .contains("activeKey")
        .contains("\"status\":\"UP\"");
  }

  /**
   * An administrator removes carol's council role, then disables her account, while she is logged in in two
   * browsers: from each browser's next request on, the council page and the health details are closed to her, then
   * she is sent to log in; the audit log has the reason, the browser a plain 403 or the login page.
   */
  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void councilRoleRemovedThenAccountDisabled_holdsAtEachBrowsersNextRequest(CapturedOutput output)
      throws Exception {
    InMemoryUserDirectory users = (InMemoryUserDirectory) context.getBean(UserDirectory.class);
    PortalUser asCreated = users.findByHandle("u-carol").orElseThrow();
    Visitor first = new Visitor();
    Visitor second = new Visitor();
    first.logIn("carol", "carol-demo-pw");
    second.logIn("carol", "carol-demo-pw");
    assertThat(first.get("/council").statusCode()).isEqualTo(200);
    assertThat(second.get("/actuator/health").body()).contains("activeKey");
    try {
      users.update("u-carol", u -> u.withRoles(Set.of("PROVIDER")));
      for (Visitor carol : new Visitor[] {first, second}) {
        HttpResponse<String> council = carol.get("/council");
        assertThat(council.statusCode()).isEqualTo(403);
        assertThat(council.body()).doesNotContain("Council officers only");
        assertThat(carol.get("/actuator/health").body()).doesNotContain("activeKey");
        assertThat(carol.get("/reports").body()).doesNotContain("Hillview day centre inspection");
      }

      users.update("u-carol", u -> u.withEnabled(false));
      for (Visitor carol : new Visitor[] {first, second}) {
        HttpResponse<String> council = carol.get("/council");
        assertThat(council.statusCode()).isEqualTo(303);
        assertThat(council.headers().firstValue("Location")).hasValue("/login?returnTo=%2Fcouncil");
        assertThat(council.body()).doesNotContain("DISABLED");
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!output.getAll().contains("account DISABLED") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(output.getAll()).as("the refusal is audited").contains("account DISABLED");
    } finally {
      users.update("u-carol", u -> asCreated);
    }
  }

  /**
   * Regression: the actuator's discovery page ({@code /actuator}) listed its endpoints as absolute links built from the
   * request's {@code Host} header, so a forged host came back in the page. Discovery is off; the health endpoint still
   * answers the probes at its fixed path.
   */
  @Test
  void actuatorDiscoveryPage_isOff_soNoLinkIsBuiltFromAForgedHost_andHealthStillAnswers()
      throws Exception {
    Visitor carol = new Visitor();
    carol.logIn("carol", "carol-demo-pw");
    String discovery = rawResponse(
        "/actuator",
        "Host: evil.example",
        "X-Forwarded-Proto: https",
        "X-Forwarded-Host: evil.example",
        "Cookie: " + carol.cookieHeader());
    assertThat(discovery.substring(discovery.indexOf("\r\n\r\n")))
        .doesNotContain("evil.example")
        .doesNotContain("_links");
    assertThat(discovery.split(" ")[1]).as("no discovery page").isEqualTo("404");

    HttpResponse<String> probe = new Visitor().get("/actuator/health");
    assertThat(probe.statusCode()).isEqualTo(200);
    assertThat(probe.body()).contains("\"status\":\"UP\"");
    assertThat(carol.get("/actuator/health").body()).contains("activeKey");
  }
}
