package dev.portcullis.spring.portal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small browser over {@link HttpClient}: cookies kept by hand (a {@code Max-Age=0} or empty value removes one), no
 * redirects followed, every {@code Set-Cookie} header kept for checks.
 */
final class Browser {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private final String base;
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final Map<String, String> jar = new LinkedHashMap<>();
  final List<String> setCookies = new ArrayList<>();

  Browser(String base) {
    this.base = base;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  HttpResponse<String> post(String path, Map<String, String> form) throws IOException, InterruptedException {
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&")
        .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  /** GET /login for the cookie-check cookie and the form's CSRF token, then POST /login. */
  HttpResponse<String> login(String user, String password) throws IOException, InterruptedException {
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

  static String csrfIn(String body) {
    Matcher m = CSRF.matcher(body);
    return m.find() ? m.group(1) : "";
  }

  /** The Cookie header this browser sends now. */
  String cookieHeader() {
    StringBuilder c = new StringBuilder();
    jar.forEach((k, v) -> c.append(c.length() == 0 ? "" : "; ").append(k).append('=').append(v));
    return c.toString();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    if (!jar.isEmpty()) {
      request.header("Cookie", cookieHeader());
    }
    HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String h : r.headers().allValues("Set-Cookie")) {
      setCookies.add(h);
      int semi = h.indexOf(';');
      String pair = semi < 0 ? h : h.substring(0, semi);
      String name = pair.substring(0, pair.indexOf('='));
      String value = pair.substring(pair.indexOf('=') + 1);
      if (h.contains("Max-Age=0") || value.isEmpty()) {
        jar.remove(name);
      } else {
        jar.put(name, value);
      }
    }
    return r;
  }
}
