package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Servlet 6.1's {@code sendRedirect(location, sc)}, {@code sendRedirect(location, clearBuffer)} and {@code
 * sendRedirect(location, sc, clearBuffer)} on embedded Tomcat 11, called by a Spring MVC controller behind the starter.
 *
 * <p>Regression: the servlet API's response wrapper passes these straight to the container's response, past the
 * filter's, so the response committed without what the filter writes just before a commit: no {@code Cache-Control:
 * no-store} for the logged-in user's response, and no cookie queued during the request (here the session's, after
 * {@code changeSessionId()}).
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
class RedirectWithStatusOverHttpTest {
  @LocalServerPort
  int port;

  private Browser loggedIn() throws Exception {
    Browser alice = new Browser("http://127.0.0.1:" + port);
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    return alice;
  }

  /** {@code <status> <Location> | <body>} of a logged-in GET of {@code path} with {@code Host: host}. */
  private static KeepAliveConnection.Response get(int port, String path, String host, Browser who)
      throws Exception {
    try (KeepAliveConnection c = new KeepAliveConnection(port)) {
      return c.get(path, List.of("Host: " + host, "Cookie: " + who.cookieHeader()));
    }
  }

  @Test
  void servlet61Redirects_goOutAsTheFilterWritesRedirects_withItsHeaders_whateverTheHostHeader()
      throws Exception {
    Browser alice = loggedIn();
    Map<String, String> answers = new LinkedHashMap<>();
    for (String how : List.of("status", "buffer", "both", "kept")) {
      for (String host : List.of("127.0.0.1:" + port, "evil.example")) {
        KeepAliveConnection.Response r = get(port, "/moved/" + how, host, alice);
        answers.put(how + " " + host, r.status() + " " + r.header("Location") + " | " + r.body());
        assertThat(r.header("X-Frame-Options")).as(how + " " + host).isEqualTo("DENY");
        assertThat(r.header("X-Content-Type-Options")).as(how + " " + host).isEqualTo("nosniff");
        assertThat(r.header("Referrer-Policy"))
            .as(how + " " + host)
            .isEqualTo("strict-origin-when-cross-origin");
        assertThat(r.header("Cache-Control"))
            .as("a logged-in user's response: " + how + " " + host)
            .isEqualTo("no-store");
      }
    }
    Map<String, String> expected = new LinkedHashMap<>();
    for (String host : List.of("127.0.0.1:" + port, "evil.example")) {
      expected.put("status " + host, "303 /reports/1 | ");
    }
    for (String host : List.of("127.0.0.1:" + port, "evil.example")) {
      expected.put("buffer " + host, "302 /reports/1 | ");
    }
    for (String host : List.of("127.0.0.1:" + port, "evil.example")) {
      expected.put("both " + host, "307 /reports/1 | ");
    }
    for (String host : List.of("127.0.0.1:" + port, "evil.example")) {
      expected.put("kept " + host, "303 /reports/1 | moved to report 1\n");
    }
    assertThat(answers).containsExactlyEntriesOf(expected);
  }

  @Test
  void aRedirectWithAStatus_afterTheSessionIdChanged_sendsTheNewSessionCookie() throws Exception {
    Browser alice = loggedIn();
    String before = sessionCookie(alice);
    assertThat(before).isNotNull();
    var moved = alice.get("/moved/status?rotate=true");
    assertThat(moved.statusCode()).isEqualTo(303);
    assertThat(moved.headers().allValues("Set-Cookie"))
        .as("the rotated session's cookie goes out with the redirect")
        .anyMatch(cookie -> cookie.contains("-sid="));
    String after = sessionCookie(alice);
    assertThat(after).as("the rotated session's cookie").isNotNull().isNotEqualTo(before);
  }

  @Test
  void aRedirectWithAStatus_elsewhere_isTheContainers_withTheFiltersHeaders() throws Exception {
    Browser alice = loggedIn();
    KeepAliveConnection.Response r = get(port, "/moved/away", "evil.example", alice);
    assertThat(r.status() + " " + r.header("Location"))
        .isEqualTo("303 https://elsewhere.example/reports/1");
    assertThat(r.body()).doesNotContain("written after the redirect");
    assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
  }

  private static String sessionCookie(Browser browser) {
    return browser.cookies().entrySet().stream()
        .filter(e -> e.getKey().endsWith("-sid"))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }
}
