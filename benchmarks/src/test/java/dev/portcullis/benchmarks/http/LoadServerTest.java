package dev.portcullis.benchmarks.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.benchmarks.ChecksOnlyFilter;
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
 * What http-load.sh relies on: every app answers 200, the Portcullis and floor apps answer the protected page as the
 * logged-in user only with their own login's cookies and the proxy headers, and send everyone else elsewhere, so a
 * load run that measured redirects or anonymous pages would show up as wrong answers.
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

  /** {@code cookies} with one character of the named cookie's value changed, in its first 12 bytes (the nonce). */
  private static String tampered(String cookies, String name) {
    int at = cookies.indexOf(name + "=") + name.length() + 1 + 10;
    return cookies.substring(0, at)
        + (cookies.charAt(at) == 'A' ? 'B' : 'A')
        + cookies.substring(at + 1);
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
    String tampered = tampered(server.cookieHeader(), "__Host-portcullis-auth");
    assertThat(tampered).isNotEqualTo(server.cookieHeader());
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
  void publicPage_isAnsweredAnonymously_byEveryApp() throws Exception {
    for (URI base : new URI[] {server.bareUri(), server.portcullisUri(), server.floorUri()}) {
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

  @Test
  void floor_protectedPages_withTheFloorsCookies_areAnsweredAsTheUser() throws Exception {
    for (String path : new String[] {LoadServer.PROTECTED_PATH, PrincipalPage.CASES_PATH}) {
      HttpResponse<String> r = get(server.floorUri(), path, server.floorCookieHeader(), true);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.body()).as(path).startsWith("principal=" + LoadServer.USER_HANDLE + "\n");
      // HTTPS behind the proxy (Jetty's ForwardedRequestCustomizer): the headers sent over TLS.
      assertThat(r.headers().firstValue("Strict-Transport-Security")).as(path).isPresent();
      assertThat(r.headers().firstValue("Cache-Control")).as(path).contains("no-store");
    }
    assertThat(get(server.floorUri(), PrincipalPage.CASES_PATH, server.floorCookieHeader(), true)
            .body())
        .contains("<table>");
  }

  @Test
  void floorCookieHeader_holdsTheFloorsSessionAndAuthCookies_only() {
    assertThat(server.floorCookieHeader())
        .contains(ChecksOnlyFilter.SESSION_COOKIE + "=")
        .contains(ChecksOnlyFilter.AUTH_COOKIE + "=")
        .doesNotContain("portcullis");
  }

  @Test
  void floor_protectedPage_withoutCookies_isRedirectedToLogin() throws Exception {
    HttpResponse<String> r = get(server.floorUri(), LoadServer.PROTECTED_PATH, null, true);
    assertRedirectedToLogin(r);
  }

  @Test
  void floor_protectedPage_withATamperedAuthCookie_isRedirectedToLogin() throws Exception {
    String tampered = tampered(server.floorCookieHeader(), ChecksOnlyFilter.AUTH_COOKIE);
    assertThat(tampered).isNotEqualTo(server.floorCookieHeader());
    HttpResponse<String> r = get(server.floorUri(), LoadServer.PROTECTED_PATH, tampered, true);
    assertRedirectedToLogin(r);
  }

  @Test
  void eachFiltersCookies_openNothingInTheOther() throws Exception {
    assertRedirectedToLogin(
        get(server.floorUri(), LoadServer.PROTECTED_PATH, server.cookieHeader(), true));
    HttpResponse<String> r =
        get(server.portcullisUri(), LoadServer.PROTECTED_PATH, server.floorCookieHeader(), true);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.body()).doesNotContain("principal=");
  }

  @Test
  void floor_withoutTheProxyHeaders_isRefused() throws Exception {
    // Not HTTPS without X-Forwarded-Proto: the floor, like Portcullis, never serves it.
    HttpResponse<String> r =
        get(server.floorUri(), LoadServer.PROTECTED_PATH, server.floorCookieHeader(), false);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).doesNotContain("principal=");
  }

  private static void assertRedirectedToLogin(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(URI.create(r.headers().firstValue("Location").orElse("")).getPath())
        .isEqualTo(LoadServer.LOGIN_PATH);
    assertThat(r.body()).doesNotContain("principal=");
  }
}
