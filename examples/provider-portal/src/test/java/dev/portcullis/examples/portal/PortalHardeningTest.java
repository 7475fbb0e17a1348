package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks from outside that the portal once failed, replayed over real HTTPS against the running portal: TRACE
 * echoing the HttpOnly cookies, the auth cookie's length giving away the organisation, Jetty's own error pages, and
 * TLS 1.2 CBC suites. (The forged Host header and the enumerable report ids are in {@link PortalHttpTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalHardeningTest {
  private static final String AUTH = "__Host-portcullis-auth";
  private static final String SESSION = "__Host-portcullis-sid";

  RunningPortal portal;
  SSLContext tls;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    portal = new RunningPortal(dataDir);
    tls = PortalClient.tls(portal);
  }

  @AfterAll
  void stop() {
    portal.close();
  }

  private static void assertSecurityHeaders(Map<String, String> headers) {
    assertSecurityHeadersBesideHsts(headers);
    assertThat(headers.get("strict-transport-security")).isEqualTo("max-age=0");
  }

  /** For a request Jetty could not even parse: no request, so nobody knows it came over TLS; the rest is there. */
  private static void assertSecurityHeadersBesideHsts(Map<String, String> headers) {
    assertThat(headers.get("x-content-type-options")).isEqualTo("nosniff");
    assertThat(headers.get("x-frame-options")).isEqualTo("DENY");
    assertThat(headers.get("content-security-policy")).contains("frame-ancestors 'none'");
    assertThat(headers.get("referrer-policy")).isEqualTo("strict-origin-when-cross-origin");
    assertThat(headers.get("cache-control")).isEqualTo("no-store");
  }

  private static Map<String, String> headers(HttpResponse<?> r) {
    Map<String, String> headers = new java.util.HashMap<>();
    r.headers()
        .map()
        .forEach((name, values) ->
            headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(", ", values)));
    return headers;
  }

  @Test
  void traceOfTheAccountPage_isRefusedWith405_andNeverEchoesTheAuthAndSessionCookies()
      throws Exception {
    PortalClient alice = portal.client();
    alice.loginAs("alice");
    String auth = alice.cookies().get(AUTH);
    String session = alice.cookies().get(SESSION);
    assertThat(auth).isNotBlank();

    HttpResponse<String> traced = alice.send(HttpRequest.newBuilder(alice.uri("/account"))
        .method("TRACE", HttpRequest.BodyPublishers.noBody()));

    assertThat(traced.statusCode()).isEqualTo(405);
    assertThat(traced.body()).doesNotContain(auth).doesNotContain(session).doesNotContain("Cookie");
    assertThat(traced.headers().firstValue("Allow"))
        .hasValueSatisfying(
            allow -> assertThat(allow).contains("GET", "POST").doesNotContain("TRACE"));
    assertSecurityHeaders(headers(traced));
    for (String method : List.of("TRACK", "trace")) {
      RawHttp.Response r = RawHttp.tls(
          tls,
          portal.portal.httpsPort(),
          "localhost",
          null,
          method + " /account HTTP/1.1\r\nHost: localhost\r\nCookie: " + alice.cookieHeader()
              + "\r\nConnection: close\r\n\r\n");
      assertThat(r.status()).as(method).isEqualTo(405);
      assertThat(r.body()).as(method).doesNotContain(auth);
    }
  }

  @Test
  void optionsAnswer_noLongerAdvertisesTrace() throws Exception {
    PortalClient alice = portal.client();
    alice.loginAs("alice");

    HttpResponse<String> options = alice.send(HttpRequest.newBuilder(alice.uri("/account"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

    assertThat(options.statusCode()).isEqualTo(200);
    assertThat(options.headers().firstValue("Allow"))
        .hasValueSatisfying(allow ->
            assertThat(allow).contains("GET").doesNotContain("TRACE").doesNotContain("TRACK"));
  }

  @Test
  void authCookiesOfAliceBobAndCarol_haveOneLength_soTheLengthDoesNotTellTheirOrganisations()
      throws Exception {
    List<Integer> lengths = new ArrayList<>();
    for (String user : List.of("alice", "bob", "carol")) {
      PortalClient c = portal.client();
      c.loginAs(user);
      lengths.add(c.cookies().get(AUTH).length());
    }
    assertThat(lengths).hasSize(3).containsOnly(lengths.get(0));
  }

  @Test
  void jettysOwnErrorPages_carryTheSecurityHeaders_andEchoNothingOfTheRequest() throws Exception {
    int port = portal.portal.httpsPort();
    RawHttp.Response ambiguous = RawHttp.tls(
        tls,
        port,
        "localhost",
        null,
        "GET /reports/probe-xyz%2f..%2fsecret HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    RawHttp.Response badSni = RawHttp.tls(
        tls,
        port,
        "evil-probe.example",
        null,
        "GET /probe-xyz HTTP/1.1\r\nHost: evil-probe.example\r\nConnection: close\r\n\r\n");
    RawHttp.Response badRequest = RawHttp.tls(
        tls,
        port,
        "localhost",
        null,
        "GET /probe-xyz HTTP/1.1\r\nHost: localhost\r\nBad header probe-xyz\r\nConnection: close\r\n\r\n");

    assertSecurityHeaders(ambiguous.headers());
    assertSecurityHeaders(badSni.headers());
    assertSecurityHeadersBesideHsts(badRequest.headers());
    for (RawHttp.Response r : List.of(ambiguous, badSni, badRequest)) {
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.body())
          .as(r.toString())
          .isEqualTo("400 Bad Request\n")
          .doesNotContain("probe")
          .doesNotContain("<");
    }
  }

  @Test
  void jettysOwnErrorPage_forARequestLineNamingAnHttpsUrlOverPlainHttp_hasNoHsts()
      throws Exception {
    RawHttp.Response r = RawHttp.plain(
        portal.portal.httpPort(),
        "GET https://localhost/reports/probe-xyz%2f..%2fsecret HTTP/1.1\r\nHost: localhost\r\n"
            + "Connection: close\r\n\r\n");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("400 Bad Request\n");
    assertSecurityHeadersBesideHsts(r.headers());
    assertThat(r.headers())
        .as("never over plain HTTP")
        .doesNotContainKey("strict-transport-security");
  }

  @Test
  void clientOfferingOnlyTls12CbcSuites_failsTheHandshake_andAeadSuitesSucceed() throws Exception {
    int port = portal.portal.httpsPort();
    for (String cbc : List.of(
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA")) {
      assertThatThrownBy(
              () -> RawHttp.handshake(tls, port, "localhost", List.of(cbc)).close())
          .as(cbc)
          .isInstanceOf(SSLException.class);
    }
    for (String aead : List.of(
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384")) {
      try (SSLSocket socket = RawHttp.handshake(tls, port, "localhost", List.of(aead))) {
        assertThat(socket.getSession().getCipherSuite()).as(aead).isEqualTo(aead);
      }
    }
  }
}
