package dev.portcullis.servlet;

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
 * A minimal browser over {@link HttpClient}: a cookie jar that honours {@code Max-Age=0}, no automatic redirects, and
 * every {@code Set-Cookie} header it ever received, for attribute checks.
 */
final class Browser {
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");
  private final String base;
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final Map<String, String> jar = new LinkedHashMap<>();
  final List<String> setCookieHeaders = new ArrayList<>();
  boolean cookiesBlocked;
  String csrf;

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

  /** GET /login, keeping the CSRF token it shows. */
  HttpResponse<String> openLoginPage() throws IOException, InterruptedException {
    HttpResponse<String> r = get("/login");
    Matcher m = CSRF.matcher(r.body());
    csrf = m.find() ? m.group(1) : null;
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
    Matcher m = CSRF.matcher(get("/whoami").body());
    return m.find() ? m.group(1) : "";
  }

  HttpResponse<String> logout() throws IOException, InterruptedException {
    return post("/logout", Map.of("_csrf", pageCsrf()));
  }

  String whoami() throws IOException, InterruptedException {
    String body = get("/whoami").body();
    int space = body.indexOf(' ');
    return space < 0 ? body : body.substring(0, space);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    if (!jar.isEmpty() && !cookiesBlocked) {
      StringBuilder c = new StringBuilder();
      jar.forEach((k, v) -> c.append(c.length() == 0 ? "" : "; ").append(k).append('=').append(v));
      request.header("Cookie", c.toString());
    }
    HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String h : r.headers().allValues("Set-Cookie")) {
      setCookieHeaders.add(h);
      if (cookiesBlocked) {
        continue;
      }
      String pair = h.substring(0, h.indexOf(';') < 0 ? h.length() : h.indexOf(';'));
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
