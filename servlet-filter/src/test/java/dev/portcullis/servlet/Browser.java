package dev.portcullis.servlet;

import dev.portcullis.testing.TestBrowser;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The test portals' browser: {@link TestBrowser} with their login and logout steps. The test servlets print the
 * request's CSRF token as {@code csrf=<token>}.
 */
final class Browser extends TestBrowser {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");
  /** The token the last {@link #openLoginPage()} showed, or null if it showed none. */
  String csrf;

  Browser(String base) {
    super(base);
  }

  /** A browser that sends through {@code client} (for example one that trusts a test certificate). */
  Browser(String base, HttpClient client) {
    super(base, client);
  }

  /** GET /login, keeping the CSRF token it shows. */
  HttpResponse<String> openLoginPage() throws IOException, InterruptedException {
    HttpResponse<String> r = get("/login");
    csrf = csrfToken(CSRF, r.body()).orElse(null);
    return r;
  }

  HttpResponse<String> login(String user, String password, boolean acceptTerms)
      throws IOException, InterruptedException {
    openLoginPage();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", user);
    form.put("password", password);
    if (acceptTerms) {
      form.put("acceptTerms", "yes");
    }
    form.put("_csrf", csrf == null ? "" : csrf);
    return post("/login", form);
  }

  /**
   * Starts a login through the OpenID provider as a browser does: opens the login page, which shows the CSRF token,
   * and POSTs it in the form body to {@code /sso/login}.
   */
  HttpResponse<String> startSsoLogin() throws IOException, InterruptedException {
    openLoginPage();
    return post("/sso/login", Map.of("_csrf", csrf == null ? "" : csrf));
  }

  /**
   * Follows the callback's redirect to the account link's confirmation page and answers it with {@code decision}
   * ({@code confirm} or {@code cancel}), with the CSRF token the page's form carries.
   */
  HttpResponse<String> answerLinkPage(HttpResponse<String> callback, String decision)
      throws IOException, InterruptedException {
    if (callback.statusCode() != 303
        || !callback.headers().firstValue("Location").orElse("").endsWith("/sso/link")) {
      throw new AssertionError(
          "expected a redirect to the link confirmation page, got " + callback.statusCode() + " "
              + callback.headers().firstValue("Location").orElse(""));
    }
    HttpResponse<String> page = get("/sso/link");
    if (page.statusCode() != 200) {
      throw new AssertionError("link confirmation page: " + page.statusCode() + " " + page.body());
    }
    return post("/sso/link", Map.of("_csrf", formCsrf(page.body()), "decision", decision));
  }

  /** The CSRF token in a page's form field {@code _csrf}, or "". */
  static String formCsrf(String html) {
    return csrfToken(FORM_CSRF, html).orElse("");
  }

  /** The CSRF token the current session shows on /whoami. */
  String pageCsrf() throws IOException, InterruptedException {
    return csrfToken(CSRF, get("/whoami").body()).orElse("");
  }

  HttpResponse<String> logout() throws IOException, InterruptedException {
    return post("/logout", Map.of("_csrf", pageCsrf()));
  }

  String whoami() throws IOException, InterruptedException {
    String body = get("/whoami").body();
    int space = body.indexOf(' ');
    return space < 0 ? body : body.substring(0, space);
  }
}
