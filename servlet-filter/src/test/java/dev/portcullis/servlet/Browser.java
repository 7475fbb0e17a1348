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
