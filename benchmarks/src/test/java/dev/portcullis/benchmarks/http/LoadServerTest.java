package dev.portcullis.benchmarks.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What http-load.sh relies on: both apps answer 200, the Portcullis one answers the protected page as the logged-in
 * user only with the login's cookies and the proxy headers, and sends everyone else elsewhere, so a load run that
 * measured redirects or anonymous pages would show up as wrong answers.
 */
class LoadServerTest {
  private static LoadServer server;
  private static final HttpClient client = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @BeforeAll
  static void start() throws Exception {
    server = LoadServer.start(InstantSource.system(), new SecureRandom());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static HttpResponse<String> get(
      URI base, String path, String cookies, boolean proxyHeaders) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5));
    if (proxyHeaders) {
      LoadServer.PROXY_HEADERS.forEach(request::header);
    }
    if (cookies != null) {
      request.header("Cookie", cookies);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void protectedPage_withTheLoginsCookies_isAnsweredAsTheUser() throws Exception {
    HttpResponse<String> r =
        get(server.portcullisUri(), LoadServer.PROTECTED_PATH, server.cookieHeader(), true);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .startsWith("principal=" + LoadServer.USER_HANDLE + "\n")
        .contains("csrf=");
    // Treated as HTTPS behind the trusted proxy: the same headers as over TLS.
    assertThat(r.headers().firstValue("Strict-Transport-Security")).isPresent();
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void cookieHeader_holdsTheSessionAndAuthCookies() {
    assertThat(server.cookieHeader())
        .contains("__Host-portcullis-sid=")
        .contains("__Host-portcullis-auth=");
  }

  @Test
  void protectedPage_withoutCookies_isRedirectedToLogin() throws Exception {
    HttpResponse<String> r = get(server.portcullisUri(), LoadServer.PROTECTED_PATH, null, true);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location").orElse("")).startsWith("/login");
    assertThat(r.body()).doesNotContain("principal=");
  }

  @Test
  void protectedPage_withATamperedAuthCookie_isRedirectedToLogin() throws Exception {
    String cookies = server.cookieHeader();
    int at = cookies.indexOf("__Host-portcullis-auth=") + "__Host-portcullis-auth=".length() + 10;
    String tampered = cookies.substring(0, at)
        + (cookies.charAt(at) == 'A' ? 'B' : 'A')
        + cookies.substring(at + 1);
    HttpResponse<String> r = get(server.portcullisUri(), LoadServer.PROTECTED_PATH, tampered, true);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location").orElse("")).startsWith("/login");
  }

  @Test
  void plainHttpWithoutTheProxyHeaders_isSentToHttps() throws Exception {
    HttpResponse<String> r =
        get(server.portcullisUri(), LoadServer.PROTECTED_PATH, server.cookieHeader(), false);
    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(r.headers().firstValue("Location").orElse(""))
        .startsWith("https://" + LoadServer.HOST + "/");
  }

  @Test
  void publicPage_isAnsweredAnonymously_byBothApps() throws Exception {
    for (URI base : new URI[] {server.bareUri(), server.portcullisUri()}) {
      HttpResponse<String> r = get(base, LoadServer.PUBLIC_PATH, null, true);
      assertThat(r.statusCode()).as(base.toString()).isEqualTo(200);
      assertThat(r.body()).as(base.toString()).startsWith("principal=anonymous\n");
    }
  }

  @Test
  void bareApp_answersTheProtectedPage_withoutKnowingTheUser() throws Exception {
    HttpResponse<String> r =
        get(server.bareUri(), LoadServer.PROTECTED_PATH, server.cookieHeader(), true);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("principal=anonymous\n");
    assertThat(r.headers().firstValue("Strict-Transport-Security")).isEmpty();
  }
}
