package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code OPTIONS} answer Jersey makes itself for a resource of {@link PortalApp}, over HTTP with the bundle: the
 * resource's {@code @RolesAllowed} apply to it, as to its methods and to the {@code HEAD} Jersey serves through
 * {@code GET}; a resource with an open method keeps it for everyone.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AutomaticAnswerRolesTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern PAGE_CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  static final DropwizardAppExtension<PortalApp.Config> APP = new DropwizardAppExtension<>(
      PortalApp.class,
      ResourceHelpers.resourceFilePath("portcullis-app.yml"),
      ConfigOverride.config("portcullis.keys.file", PortcullisBundleTest.KEYS.toString()));

  /**
   * Regression: Jersey's automatic {@code OPTIONS} carries no {@code @RolesAllowed} check, so it answered {@code 200}
   * with the resource's methods ({@code Allow: HEAD,POST,GET,OPTIONS} and the same as text) to a user without the
   * resource's role, and on a public path to an anonymous visitor, whatever the {@code Accept} header asked for.
   */
  @Test
  void automaticOptions_isRefused_toCallersTheResourceRefuses() throws Exception {
    TestBrowser anonymous = browser();
    TestBrowser root = loggedIn("root", "root-pw"); // ADMIN, not PROVIDER
    TestBrowser alice = loggedIn("alice", "alice-pw"); // PROVIDER
    for (String accept : new String[] {"*/*", "text/plain", "application/vnd.sun.wadl+xml"}) {
      RawHttp.Response refused = options(root, "/reports", accept);
      assertThat(refused.status()).as("root, /reports, " + accept).isEqualTo(403);
      assertThat(refused.headers("Allow")).as("root, /reports, " + accept).isEmpty();
      assertThat(refused.body()).doesNotContain("POST");
      assertThat(refused.header("Cache-Control")).isEqualTo("no-store");

      RawHttp.Response publicPath = options(anonymous, "/status/board", accept);
      assertThat(publicPath.status())
          .as("anonymous, a public path whose resource needs ADMIN, " + accept)
          .isEqualTo(403);
      assertThat(publicPath.headers("Allow")).isEmpty();
      assertThat(options(alice, "/status/board", accept).status())
          .as("alice lacks ADMIN, " + accept)
          .isEqualTo(403);
    }
    assertThat(head(root, "/reports").status())
        .as("HEAD, which Jersey serves through GET and its roles")
        .isEqualTo(403);
  }

  @Test
  void automaticOptions_isServed_toCallersWhoMayCallAMethod() throws Exception {
    TestBrowser anonymous = browser();
    TestBrowser root = loggedIn("root", "root-pw");
    TestBrowser alice = loggedIn("alice", "alice-pw");

    RawHttp.Response reports = options(alice, "/reports", "*/*");
    assertThat(reports.status()).isEqualTo(200);
    assertThat(reports.header("Allow")).contains("GET", "POST");
    assertThat(options(root, "/status/board", "*/*").status()).isEqualTo(200);
    assertThat(options(anonymous, "/status", "*/*").status())
        .as("a resource without roles keeps its answer for everyone")
        .isEqualTo(200);
    assertThat(options(anonymous, "/status/whoami", "*/*").status())
        .as("@PermitAll")
        .isEqualTo(200);
  }

  /**
   * Regression: a method the path does not have was answered {@code 405} with the path's methods in {@code Allow}
   * (Jersey's own answer, before any {@code @RolesAllowed} check) to a user without the resource's role, and on a
   * public path to an anonymous visitor: the same list the automatic {@code OPTIONS} gives.
   */
  @Test
  void methodNotAllowed_isRefused_toCallersTheResourceRefuses() throws Exception {
    TestBrowser anonymous = browser();
    TestBrowser root = loggedIn("root", "root-pw"); // ADMIN, not PROVIDER
    TestBrowser alice = loggedIn("alice", "alice-pw"); // PROVIDER

    RawHttp.Response refused = withToken(root, "PUT", "/reports");
    assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
    assertThat(refused.headers("Allow")).isEmpty();
    assertThat(refused.body()).doesNotContain("POST");
    assertThat(refused.header("Cache-Control")).isEqualTo("no-store");
    RawHttp.Response publicPath = withToken(anonymous, "DELETE", "/status/board");
    assertThat(publicPath.status()).as(publicPath.toString()).isEqualTo(403);
    assertThat(publicPath.headers("Allow")).isEmpty();

    RawHttp.Response allowed = withToken(alice, "PUT", "/reports");
    assertThat(allowed.status()).as("alice may call /reports").isEqualTo(405);
    assertThat(allowed.header("Allow")).contains("GET", "POST");
    assertThat(withToken(anonymous, "DELETE", "/status").status())
        .as("a resource without roles")
        .isEqualTo(405);
  }

  /** A request with the browser's cookies and its CSRF token in {@code X-CSRF-Token}, so that the filter passes it. */
  private static RawHttp.Response withToken(TestBrowser browser, String method, String path)
      throws Exception {
    String whoami = browser.get("/status/whoami").body();
    String token = whoami.startsWith("anonymous")
        ? TestBrowser.csrfToken(FORM_CSRF, browser.get("/login").body()).orElseThrow()
        : TestBrowser.csrfToken(PAGE_CSRF, whoami).orElseThrow();
    String cookie = browser.cookieHeader();
    return RawHttp.send(
        APP.getLocalPort(),
        method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-CSRF-Token: " + token
            + "\r\nContent-Length: 0\r\n"
            + (cookie.isEmpty() ? "" : "Cookie: " + cookie + "\r\n")
            + "Connection: close\r\n\r\n");
  }

  private static RawHttp.Response options(TestBrowser browser, String path, String accept)
      throws Exception {
    return send(browser, "OPTIONS", path, accept);
  }

  private static RawHttp.Response head(TestBrowser browser, String path) throws Exception {
    return send(browser, "HEAD", path, "*/*");
  }

  private static RawHttp.Response send(
      TestBrowser browser, String method, String path, String accept) throws Exception {
    String cookie = browser.cookieHeader();
    return RawHttp.send(
        APP.getLocalPort(),
        method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\n"
            + (cookie.isEmpty() ? "" : "Cookie: " + cookie + "\r\n")
            + "Connection: close\r\n\r\n");
  }

  private static TestBrowser browser() {
    return new TestBrowser("http://127.0.0.1:" + APP.getLocalPort());
  }

  private static TestBrowser loggedIn(String user, String password) throws Exception {
    TestBrowser browser = browser();
    String token =
        TestBrowser.csrfToken(FORM_CSRF, browser.get("/login").body()).orElseThrow();
    HttpResponse<String> login =
        browser.post("/login", Map.of("username", user, "password", password, "_csrf", token));
    assertThat(login.headers().firstValue("Location")).as("login of " + user).hasValue("/");
    return browser;
  }
}
