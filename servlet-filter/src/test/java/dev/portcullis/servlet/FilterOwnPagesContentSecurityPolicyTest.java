package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: the one HTML page the filter renders itself, the account link's confirmation page, carried only the
 * transport's {@code Content-Security-Policy: frame-ancestors 'none'}, which lets the page load scripts, styles and
 * images from anywhere and post its form anywhere; an escaping mistake on the page would have had nothing behind it.
 * The page now has a policy that allows nothing but posting its form to the portal, as its only policy header; the
 * application's own pages keep the transport's. Over real HTTP on Jetty, with a real OpenID provider.
 */
class FilterOwnPagesContentSecurityPolicyTest {
  private static final String STRICT =
      "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    sso = new SsoPortal();
  }

  @AfterEach
  void stop() throws Exception {
    sso.close();
  }

  /** Alice logged in, back from the provider with a pending link: the confirmation page, as her browser gets it. */
  private HttpResponse<String> linkPage(Browser b) throws Exception {
    sso.providerSignsIn("sub-alice");
    HttpResponse<String> callback = sso.viaProvider(b, sso.upgrade(b));
    assertThat(callback.statusCode()).isEqualTo(303);
    assertThat(callback.headers().firstValue("Location")).hasValue("/sso/link");
    return b.get("/sso/link");
  }

  @Test
  void linkConfirmationPage_hasOnlyTheStrictPolicy() throws Exception {
    Browser b = sso.loggedIn("alice");
    HttpResponse<String> page = linkPage(b);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.headers().allValues("Content-Security-Policy")).containsExactly(STRICT);
    assertThat(page.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
    assertThat(page.headers().allValues("X-Frame-Options")).containsExactly("DENY");
    assertThat(page.headers().allValues("Cache-Control")).containsExactly("no-store");
    // The policy allows no style, script or other resource: the page must need none, and its
    // form must post to this site.
    assertThat(page.body())
        .doesNotContainIgnoringCase("<style")
        .doesNotContainIgnoringCase("style=")
        .doesNotContainIgnoringCase("<script")
        .doesNotContainIgnoringCase("<link")
        .doesNotContainIgnoringCase("<img")
        .contains("<form method=\"post\" action=\"/sso/link\">");
    // The page still does its work under the policy.
    HttpResponse<String> confirmed =
        b.post("/sso/link", Map.of("_csrf", Browser.formCsrf(page.body()), "decision", "confirm"));
    assertThat(confirmed.statusCode()).isEqualTo(303);
    assertThat(sso.links.userFor(sso.issuer, "sub-alice")).contains("u-alice");
  }

  @Test
  void applicationPages_keepTheTransportPolicy() throws Exception {
    Browser b = sso.loggedIn("alice");
    linkPage(b);

    HttpResponse<String> whoami = b.get("/whoami");
    assertThat(whoami.statusCode()).isEqualTo(200);
    assertThat(whoami.headers().allValues("Content-Security-Policy"))
        .containsExactly("frame-ancestors 'none'");
    assertThat(b.get("/login").headers().allValues("Content-Security-Policy"))
        .containsExactly("frame-ancestors 'none'");
  }

  @Test
  void filterRefusalOnTheLinkPath_keepsTheTransportPolicy() throws Exception {
    // No pending link: the filter's plain-text refusal, not the page.
    HttpResponse<String> refused = sso.loggedIn("alice").get("/sso/link");

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(refused.headers().allValues("Content-Security-Policy"))
        .containsExactly("frame-ancestors 'none'");
  }
}
