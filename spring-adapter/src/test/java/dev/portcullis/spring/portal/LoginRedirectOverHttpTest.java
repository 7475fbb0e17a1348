package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.portcullis.testing.TestBrowser;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Where the starter's chain sends an anonymous visitor, on embedded Tomcat behind a TLS-terminating proxy
 * ({@code portcullis.transport.trusted-proxies}, {@code X-Forwarded-Proto: https}): to a relative login URL that
 * carries the page as {@code returnTo}, as the Portcullis filter does, whatever {@code Host} header the request has.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.trusted-proxies=127.0.0.1",
      "portcullis.transport.canonical-host=portal.example",
      "portcullis.login.terms-version=2026-01"
    })
class LoginRedirectOverHttpTest {
  @LocalServerPort
  int port;

  /** A browser whose requests come through the TLS-terminating proxy: each says the client used HTTPS. */
  private final class ProxiedBrowser extends TestBrowser {
    ProxiedBrowser() {
      super("http://127.0.0.1:" + port);
    }

    @Override
    public HttpResponse<String> send(HttpRequest.Builder request)
        throws IOException, InterruptedException {
      return super.send(request.header("X-Forwarded-Proto", "https"));
    }

    String csrf(String path) throws IOException, InterruptedException {
      return Browser.csrfIn(get(path).body());
    }
  }

  private static String returnTo(String target) {
    return "/login?returnTo=" + URLEncoder.encode(target, StandardCharsets.UTF_8);
  }

  @Test
  void anonymousVisitor_isSentToARelativeLoginUrl_neverToTheHostHeadersHostOrPlainHttp()
      throws Exception {
    Map<String, String> locations = new LinkedHashMap<>();
    for (String host : List.of("portal.example", "evil.example", "evil.example:8443")) {
      try (KeepAliveConnection c = new KeepAliveConnection(port)) {
        KeepAliveConnection.Response r = c.get(
            "/reports/1",
            List.of("Host: " + host, "X-Forwarded-Proto: https", "Accept: text/html"));
        locations.put(host, r.status() + " " + r.header("Location"));
        assertThat(r.headers())
            .as("the proxy's HTTPS is believed")
            .contains("Strict-Transport-Security");
      }
    }
    assertThat(locations)
        .containsExactly(
            entry("portal.example", "303 /login?returnTo=%2Freports%2F1"),
            entry("evil.example", "303 /login?returnTo=%2Freports%2F1"),
            entry("evil.example:8443", "303 /login?returnTo=%2Freports%2F1"));
  }

  /**
   * Regression: Spring Boot turns Tomcat's relative redirects off ({@code server.tomcat.use-relative-redirects}
   * defaults to false), so Tomcat made the application's own redirects ({@code RedirectView}, {@code sendRedirect})
   * absolute from the request's {@code Host} header and the connection's scheme: behind the proxy, a logged-in user's
   * request with {@code Host: evil.example} was sent to {@code http://evil.example/reports/1}.
   */
  @Test
  void theApplicationsOwnRedirect_staysRelative_whateverTheHostHeader() throws Exception {
    ProxiedBrowser alice = new ProxiedBrowser();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "alice");
    form.put("password", "alice-pw");
    form.put("_csrf", alice.csrf("/login"));
    assertThat(alice.post("/login", form).statusCode()).isEqualTo(303);

    Map<String, String> locations = new LinkedHashMap<>();
    for (String host : List.of("portal.example", "evil.example", "evil.example:443")) {
      try (KeepAliveConnection c = new KeepAliveConnection(port)) {
        KeepAliveConnection.Response r = c.get(
            "/to-report/1",
            List.of(
                "Host: " + host,
                "X-Forwarded-Proto: https",
                "X-Forwarded-Host: evil.example",
                "Cookie: " + alice.cookieHeader()));
        locations.put(host, r.status() + " " + r.header("Location"));
      }
    }
    assertThat(locations)
        .containsExactly(
            entry("portal.example", "302 /reports/1"),
            entry("evil.example", "302 /reports/1"),
            entry("evil.example:443", "302 /reports/1"));
    assertThat(alice.get("/to-report/1").headers().firstValue("Location")).hasValue("/reports/1");
  }

  @Test
  void thePagesQuery_isCarriedInReturnTo_asSent() throws Exception {
    try (KeepAliveConnection c = new KeepAliveConnection(port)) {
      KeepAliveConnection.Response r = c.get(
          "/reports/1?tab=a%20b&x=1", List.of("Host: evil.example", "X-Forwarded-Proto: https"));
      assertThat(r.status() + " " + r.header("Location"))
          .isEqualTo("303 " + returnTo("/reports/1?tab=a%20b&x=1"));
      assertThat(r.header("Cache-Control"))
          .as("a redirect about one request, which no shared cache may keep")
          .isEqualTo("no-store");
    }
  }

  @Test
  void loggingInOnThePageTheRedirectNames_returnsToTheAskedForPage() throws Exception {
    ProxiedBrowser alice = new ProxiedBrowser();
    HttpResponse<String> anonymous = alice.get("/reports/7");
    String login = anonymous.headers().firstValue("Location").orElseThrow();
    assertThat(anonymous.statusCode() + " " + login).isEqualTo("303 " + returnTo("/reports/7"));
    // The form posts to the login page's own URL (no action attribute), returnTo included.
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "alice");
    form.put("password", "alice-pw");
    form.put("_csrf", alice.csrf(login));
    HttpResponse<String> loggedIn = alice.post(login, form);
    assertThat(loggedIn.statusCode()).isEqualTo(303);
    assertThat(loggedIn.headers().firstValue("Location")).hasValue("/reports/7");
    assertThat(alice.get("/reports/7").body()).isEqualTo("report 7");
  }

  @Test
  void anonymousPost_getsA401_notARedirect() throws Exception {
    ProxiedBrowser visitor = new ProxiedBrowser();
    String csrf = visitor.csrf("/login");
    HttpResponse<String> r = visitor.post("/reports/1", Map.of("_csrf", csrf));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
    assertThat(r.body()).isEqualTo("Please log in first.\n");
    assertThat(r.headers().allValues("Cache-Control")).containsExactly("no-store");
  }
}
