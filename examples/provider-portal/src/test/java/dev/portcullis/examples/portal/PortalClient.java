package dev.portcullis.examples.portal;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small HTTPS client for the portal that trusts exactly the portal's development certificate (hostname checked),
 * follows no redirects and keeps cookies: enough of a browser for the tests that need no rendering.
 */
final class PortalClient {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]+)\"");

  private final RunningPortal portal;
  private final HttpClient client;
  final Map<String, String> jar = new LinkedHashMap<>();
  final List<String> setCookieHeaders = new ArrayList<>();
  String lastCsrf;

  PortalClient(RunningPortal portal) throws Exception {
    this.portal = portal;
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(portal.dataDir.resolve(DevelopmentCertificate.CERTIFICATE_PEM))) {
      trust.setCertificateEntry("portal", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    client = HttpClient.newBuilder().sslContext(tls).followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(portal.https(path))).GET());
  }

  /** A plain-HTTP request to the redirect connector, without cookies. */
  HttpResponse<String> plainHttp(String method, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(portal.http(path)))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("username=alice&password=alice-demo-pass"))
        .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&")
        .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return send(HttpRequest.newBuilder(URI.create(portal.https(path)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  /** Opens the login page and sends the form; returns the login POST's response. */
  HttpResponse<String> login(String username, String password, boolean acceptTerms) throws Exception {
    get("/login");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", username);
    form.put("password", password);
    if (acceptTerms) {
      form.put("acceptTerms", "yes");
    }
    form.put("_csrf", lastCsrf == null ? "" : lastCsrf);
    return post("/login", form);
  }

  HttpResponse<String> loginAs(String username) throws Exception {
    return login(username, username + "-demo-pass", true);
  }

  HttpResponse<String> logout() throws Exception {
    get("/account");
    return post("/logout", Map.of("_csrf", lastCsrf == null ? "" : lastCsrf));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    if (!jar.isEmpty()) {
      StringBuilder c = new StringBuilder();
      jar.forEach((k, v) -> c.append(c.length() == 0 ? "" : "; ").append(k).append('=').append(v));
      request.header("Cookie", c.toString());
    }
    HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String h : r.headers().allValues("Set-Cookie")) {
      setCookieHeaders.add(h);
      String pair = h.substring(0, h.indexOf(';') < 0 ? h.length() : h.indexOf(';'));
      String name = pair.substring(0, pair.indexOf('='));
      String value = pair.substring(pair.indexOf('=') + 1);
      if (h.contains("Max-Age=0") || value.isEmpty()) {
        jar.remove(name);
      } else {
        jar.put(name, value);
      }
    }
    Matcher m = CSRF.matcher(r.body());
    if (m.find()) {
      lastCsrf = m.group(1);
    }
    return r;
  }
}
