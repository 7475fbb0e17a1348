package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A filter built with login and without an access policy: every page but the login page, the terms page and the
 * pages declared with {@code requirePublic} needs a login. (It used to let every page through to anonymous visitors.)
 * Over real HTTP on Jetty.
 */
class SecureDefaultAccessTest {
  private LoginPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = LoginPortal.withDefaultAccess((p, filter) -> filter.requirePublic("/privacy"));
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  @Test
  void loginWithoutAnAccessPolicy_doesNotLetAnonymousVisitorsThrough() throws Exception {
    Browser anonymous = portal.browser();
    for (String page :
        new String[] {"/whoami", "/", "/secret", "/reports/riverside/1", "/privacy/more", "/terms/x"
        }) {
      HttpResponse<String> r = anonymous.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(303);
      assertThat(r.headers().firstValue("Location"))
          .as(page)
          .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
      assertThat(r.body()).as(page).doesNotContain("page ");
    }
    HttpResponse<String> post = anonymous.send(HttpRequest.newBuilder(anonymous.uri("/whoami"))
        .header("X-CSRF-Token", "none")
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(post.statusCode()).isIn(401, 403);
  }

  @Test
  void theLoginTermsAndRequiredPublicPages_stayPublic_andALoginOpensTheRest() throws Exception {
    Browser b = portal.browser();
    assertThat(b.get("/login").body()).startsWith("login page csrf=");
    assertThat(b.get("/terms").body()).startsWith("terms page");
    assertThat(b.get("/privacy").body()).isEqualTo("page /privacy");

    assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    assertThat(b.get("/secret").body()).isEqualTo("page /secret");
    assertThat(b.whoami()).isEqualTo("u-alice");
  }
}
