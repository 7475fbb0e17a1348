package dev.portcullis.dropwizard;

import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** A browser's steps on a node of {@link PortalApp}, for the tests that run two nodes on one shared store. */
final class NodeSteps {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern WHOAMI_CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private NodeSteps() {}

  /** Posts the login form of the node {@code browser} is on, with the form's CSRF token. */
  static HttpResponse<String> logIn(TestBrowser browser, String user, String password)
      throws Exception {
    String csrf = TestBrowser.csrfToken(FORM_CSRF, browser.get("/login").body()).orElse("");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", user);
    form.put("password", password);
    form.put("_csrf", csrf);
    return browser.post("/login", form);
  }

  /** Who the node says {@code browser} is: a user handle, or {@code anonymous}. */
  static String whoami(TestBrowser browser) throws Exception {
    String body = browser.get("/status/whoami").body();
    return body.substring(0, body.indexOf(' '));
  }

  /** The CSRF token of {@code browser}'s session, as the node's status page shows it. */
  static Optional<String> csrfToken(TestBrowser browser) throws Exception {
    return TestBrowser.csrfToken(WHOAMI_CSRF, browser.get("/status/whoami").body());
  }

  /** A new browser on {@code base} holding {@code cookies}. */
  static TestBrowser withCookies(String base, Map<String, String> cookies) {
    TestBrowser browser = new TestBrowser(base);
    browser.cookies().putAll(cookies);
    return browser;
  }
}
