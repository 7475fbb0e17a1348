package dev.portcullis.spring.portal;

import dev.portcullis.testing.TestBrowser;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The test portal's browser: {@link TestBrowser} with its login and logout steps. The portal's pages print the
 * request's CSRF token as {@code csrf=<token>}.
 */
final class Browser extends TestBrowser {
  static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  Browser(String base) {
    super(base);
  }

  /** GET /login for the cookie-check cookie and the form's CSRF token, then POST /login. */
  HttpResponse<String> login(String user, String password)
      throws IOException, InterruptedException {
    String csrf = csrfIn(get("/login").body());
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", user);
    form.put("password", password);
    form.put("_csrf", csrf);
    return post("/login", form);
  }

  HttpResponse<String> logout() throws IOException, InterruptedException {
    return post("/logout", Map.of("_csrf", csrfIn(get("/whoami").body())));
  }

  /** The CSRF token a page shows, or empty if it shows none. */
  static String csrfIn(String body) {
    return csrfToken(CSRF, body).orElse("");
  }
}
