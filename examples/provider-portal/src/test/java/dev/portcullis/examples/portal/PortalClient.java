package dev.portcullis.examples.portal;

import dev.portcullis.testing.TestBrowser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A {@link TestBrowser} on the portal's HTTPS connector that trusts exactly the portal's development certificate
 * (hostname checked) and keeps the CSRF token of the last page that showed one: enough of a browser for the tests
 * that need no rendering.
 */
final class PortalClient extends TestBrowser {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]+)\"");

  private final RunningPortal portal;
  /** The CSRF token of the last page that showed a form, or null before the first. */
  String lastCsrf;

  PortalClient(RunningPortal portal) throws Exception {
    super(portal.https(""), trustingTheDevelopmentCertificate(portal));
    this.portal = portal;
  }

  private static HttpClient trustingTheDevelopmentCertificate(RunningPortal portal)
      throws Exception {
    return HttpClient.newBuilder()
        .sslContext(tls(portal))
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** A TLS context that trusts exactly the portal's development certificate. */
  static SSLContext tls(RunningPortal portal) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in =
        Files.newInputStream(portal.dataDir.resolve(DevelopmentCertificate.CERTIFICATE_PEM))) {
      trust.setCertificateEntry(
          "portal", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return tls;
  }

  /** A plain-HTTP request to the redirect connector, without cookies. */
  HttpResponse<String> plainHttp(String method, String path) throws Exception {
    return client()
        .send(
            HttpRequest.newBuilder(URI.create(portal.http(path)))
                .method(
                    method,
                    method.equals("GET")
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(
                            "username=alice&password=alice-demo-pass"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(REQUEST_TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** Opens the login page and sends the form; returns the login POST's response. */
  HttpResponse<String> login(String username, String password, boolean acceptTerms)
      throws Exception {
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

  @Override
  public HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    HttpResponse<String> r = super.send(request);
    csrfToken(CSRF, r.body()).ifPresent(token -> lastCsrf = token);
    return r;
  }
}
