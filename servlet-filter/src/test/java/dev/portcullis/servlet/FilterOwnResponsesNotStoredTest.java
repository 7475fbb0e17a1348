package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: the answers the filter writes itself to an anonymous visitor (a refusal, a redirect to the login page)
 * carried the security headers but no {@code Cache-Control}, so a shared cache could keep an answer that was about one
 * request and serve it for others. Over real HTTP on Jetty, through the filter's secure default access.
 */
class FilterOwnResponsesNotStoredTest {
  private LoginPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = LoginPortal.withDefaultAccess((p, filter) -> {});
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  private static void assertNotStoredWithSecurityHeaders(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().allValues("Cache-Control"))
        .as("status " + status)
        .containsExactly("no-store");
    assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().allValues("Content-Security-Policy")).contains("frame-ancestors 'none'");
  }

  @Test
  void redirectToTheLoginPage_isNotToBeStored() throws Exception {
    HttpResponse<String> r = portal.browser().get("/secret?x=1");

    assertNotStoredWithSecurityHeaders(r, 303);
    assertThat(r.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
  }

  @Test
  void anonymousPostToAProtectedPage_the401_isNotToBeStored() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    HttpResponse<String> r = b.post("/secret", Map.of("_csrf", b.csrf));

    assertNotStoredWithSecurityHeaders(r, 401);
    assertThat(r.body()).isEqualTo("Please log in first.\n");
  }

  @Test
  void csrfRefusal_the403_isNotToBeStored() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    HttpResponse<String> r = b.send(HttpRequest.newBuilder(b.uri("/secret"))
        .header("X-CSRF-Token", "not-the-token")
        .POST(HttpRequest.BodyPublishers.noBody()));

    assertNotStoredWithSecurityHeaders(r, 403);
  }

  @Test
  void loginPostWithoutCookies_the400_isNotToBeStored() throws Exception {
    HttpResponse<String> r =
        portal.browser().post("/login", Map.of("username", "alice", "password", "x", "_csrf", "x"));

    assertNotStoredWithSecurityHeaders(r, 400);
  }

  @Test
  void pathThatCouldBeReadTwoWays_the400_isNotToBeStored() throws Exception {
    HttpResponse<String> r = portal.browser().get("/secret%20");

    assertNotStoredWithSecurityHeaders(r, 400);
    assertThat(r.body()).isEqualTo("Bad request.\n");
  }
}
