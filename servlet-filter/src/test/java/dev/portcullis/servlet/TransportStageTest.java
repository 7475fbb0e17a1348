package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.transport.ForwardedHeaders;
import dev.portcullis.transport.TransportConfig;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TransportStageTest {
  private static final String HSTS = "Strict-Transport-Security";

  private final EchoServlet servlet = new EchoServlet();
  private final List<SecuredPortal> portals = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (SecuredPortal p : portals) {
      p.close();
    }
  }

  private SecuredPortal portal(Function<SecuredPortal.Ports, PortcullisFilter> filter, boolean tls)
      throws Exception {
    SecuredPortal p =
        new SecuredPortal(filter::apply, servlet, tls, SecuredPortal.Uris.JETTY_DEFAULT);
    portals.add(p);
    return p;
  }

  private SecuredPortal portal(TransportConfig.Builder config) throws Exception {
    return portal(ports -> PortcullisFilter.builder().transport(config.build()).build(), false);
  }

  /** TLS and plain connectors; plain HTTP is redirected to the real TLS port. */
  private SecuredPortal tlsPortal() throws Exception {
    return portal(
        ports -> PortcullisFilter.builder()
            .transport(TransportConfig.builder()
                .canonicalHost("127.0.0.1")
                .httpsPort(ports.https())
                .build())
            .build(),
        true);
  }

  /** A portal whose application is a plain {@link HttpServlet} with the servlet API's own TRACE and OPTIONS. */
  private SecuredPortal pagePortal(TransportConfig config, boolean tls) throws Exception {
    SecuredPortal p = new SecuredPortal(
        ports -> PortcullisFilter.builder().transport(config).build(),
        new PageServlet(),
        tls,
        SecuredPortal.Uris.JETTY_DEFAULT);
    portals.add(p);
    return p;
  }

  /** A transport that redirects plain HTTP to {@code portal.example}. */
  private static TransportConfig.Builder redirecting() {
    return TransportConfig.builder().canonicalHost("portal.example");
  }

  private static HttpRequest.Builder request(java.net.URI uri, String method) {
    return HttpRequest.newBuilder(uri)
        .method(
            method,
            method.equals("GET") || method.equals("HEAD")
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("name=value"));
  }

  private static void assertFrameAndSniffingHeaders(HttpResponse<?> r) {
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    // Once: the policy is never added twice, whatever the application did.
    assertThat(r.headers().allValues("Content-Security-Policy"))
        .filteredOn(v -> v.equals("frame-ancestors 'none'"))
        .hasSize(1);
    assertThat(r.headers().firstValue("Referrer-Policy"))
        .contains("strict-origin-when-cross-origin");
  }

  @Test
  void plainGet_isRedirectedWith308ToTheCanonicalHost_withTheSamePathAndQuery_andNoStore()
      throws Exception {
    SecuredPortal p = portal(redirecting());

    HttpResponse<String> r = p.get(p.http("/app/reports/1?year=2026&q=a%2Fb%20c"));

    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(r.headers().firstValue("Location"))
        .contains("https://portal.example/app/reports/1?year=2026&q=a%2Fb%20c");
    assertThat(r.headers().allValues("Cache-Control")).containsExactly("no-store");
    assertThat(r.body()).isEmpty();
    assertThat(servlet.calls).hasValue(0);
    assertFrameAndSniffingHeaders(r);
    assertThat(r.headers().firstValue(HSTS))
        .as("never over plain HTTP (RFC 6797 8.1)")
        .isEmpty();
  }

  @Test
  void plainGet_withAForgedHostHeader_isRedirectedToTheCanonicalHost_neverToTheForgedOne()
      throws Exception {
    SecuredPortal p = portal(redirecting().httpsPort(9443));

    for (String host : List.of(
        "Host: evil.example",
        "Host: evil.example:80",
        "Host: [2001:db8::1]:8080",
        "Host: evil.example@portal.example",
        "Host: portal.example%2f.evil.example",
        "Host: portal.example,evil")) {
      SecuredPortal.RawResponse r = p.raw("GET", "/app/x?y=1", host);
      if (r.status() == 400) {
        // Jetty itself refuses some Host values before any filter runs; no Location either way.
        assertThat(r.headers()).as(host).doesNotContainKey("location");
        continue;
      }
      assertThat(r.status()).as(host).isEqualTo(308);
      assertThat(r.headers().get("location"))
          .as(host)
          .isEqualTo("https://portal.example:9443/app/x?y=1");
      assertThat(r.headers().get("cache-control")).as(host).isEqualTo("no-store");
    }
    SecuredPortal.RawResponse forged = p.raw("GET", "/app/x", "Host: evil.example");
    assertThat(forged.status()).isEqualTo(308);
    assertThat(forged.headers().get("location")).doesNotContain("evil");
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void plainGet_withDefaultTransport_orRedirectsOff_isRefusedWith403_withoutALocation()
      throws Exception {
    SecuredPortal byDefault = portal(ports -> PortcullisFilter.builder().build(), false);
    SecuredPortal off = portal(TransportConfig.builder().redirectPlainHttp(false));

    for (SecuredPortal p : List.of(byDefault, off)) {
      SecuredPortal.RawResponse r = p.raw("GET", "/app/x", "Host: evil.example");
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.headers()).doesNotContainKey("location");
      assertThat(r.body()).isEqualTo("This portal only accepts HTTPS.\n");
      assertThat(r.headers().get("cache-control")).isEqualTo("no-store");
      assertThat(r.headers().get("x-frame-options")).isEqualTo("DENY");
    }
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void plainHead_isRedirectedToo() throws Exception {
    SecuredPortal p = portal(redirecting());

    HttpResponse<String> r = p.send(request(p.http("/app/echo?a=1"), "HEAD"));

    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(r.headers().firstValue("Location")).contains("https://portal.example/app/echo?a=1");
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void redirect_leadsToTheConfiguredHttpsPort_whereTheRealTlsPageIsServedWithHsts()
      throws Exception {
    SecuredPortal p = tlsPortal();

    HttpResponse<String> redirect = p.get(p.http("/app/echo?x=1"));
    String location = redirect.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> page = p.get(java.net.URI.create(location));

    assertThat(redirect.statusCode()).isEqualTo(308);
    assertThat(location).isEqualTo(p.https("/app/echo?x=1").toString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo("addr=127.0.0.1 secure=true");
    assertThat(page.headers().firstValue(HSTS)).contains("max-age=31536000");
    assertFrameAndSniffingHeaders(page);
  }

  @Test
  void plainPost_isRefusedWith403_beforeTheBodyIsRead() throws Exception {
    SecuredPortal p = portal(redirecting());

    SecuredPortal.RawResponse r = startOfA50MbForm(p, "/app/echo", "127.0.0.1:" + p.ports.http());

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("This portal only accepts HTTPS.\n");
    assertThat(r.headers().get("connection")).isEqualTo("close");
    assertThat(r.headers().get("x-frame-options")).isEqualTo("DENY");
    assertThat(servlet.calls).hasValue(0);
  }

  /**
   * Posts the head of a 50 MB form to {@code target} over plain HTTP and only the start of its body: a server that read
   * the body would still be waiting for the rest when the answer is due.
   */
  private static SecuredPortal.RawResponse startOfA50MbForm(
      SecuredPortal p, String target, String host) throws IOException {
    String head = "POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 50000000\r\n\r\n";
    byte[] start = "name=".concat("x".repeat(16_000)).getBytes(StandardCharsets.US_ASCII);
    return p.rawPartial(head, start, Duration.ofSeconds(10));
  }

  @Test
  void otherPlainMethods_areRefusedWith403() throws Exception {
    SecuredPortal p = portal(redirecting());

    for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS")) {
      HttpResponse<String> r = p.send(request(p.http("/app/echo"), method));
      assertThat(r.statusCode()).as(method).isEqualTo(403);
      assertThat(r.headers().firstValue("Location")).as(method).isEmpty();
    }
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void everyResponseOverTls_carriesHstsAndTheOtherSecurityHeaders_evenAfterResetErrorOrException()
      throws Exception {
    SecuredPortal p = tlsPortal();

    for (String path : List.of(
        "/app/echo",
        "/app/reset",
        "/app/error",
        "/app/throw",
        "/app/large",
        "/app/csp",
        "/app/async")) {
      HttpResponse<String> r = p.get(p.https(path));
      assertThat(r.headers().firstValue(HSTS)).as(path).contains("max-age=31536000");
      assertFrameAndSniffingHeaders(r);
    }
    assertThat(p.get(p.https("/app/reset")).body()).isEqualTo("after reset");
    assertThat(p.get(p.https("/app/throw")).statusCode()).isEqualTo(500);
    assertThat(p.get(p.https("/app/async")).body()).isEqualTo("async after reset");
  }

  @Test
  void applicationsOwnValuesForTheSecurityHeaders_areOverriddenBeforeCommit() throws Exception {
    SecuredPortal p = tlsPortal();

    HttpResponse<String> r = p.get(p.https("/app/override"));

    assertThat(r.body()).isEqualTo("override");
    assertThat(r.headers().allValues("X-Frame-Options")).containsExactly("DENY");
    assertThat(r.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
    assertThat(r.headers().allValues("Referrer-Policy"))
        .containsExactly(TransportStage.REFERRER_POLICY);
    assertThat(r.headers().allValues(HSTS)).containsExactly("max-age=31536000");
  }

  @Test
  void applicationsOwnContentSecurityPolicy_isKept_andFrameAncestorsIsAddedBesideIt()
      throws Exception {
    SecuredPortal p = tlsPortal();

    HttpResponse<String> r = p.get(p.https("/app/csp"));

    assertThat(r.headers().allValues("Content-Security-Policy"))
        .containsExactlyInAnyOrder("default-src 'self'", "frame-ancestors 'none'");
  }

  @Test
  void applicationsOwnSecurityHeaders_setAfterTheFilterWroteItsOwn_areOverriddenBeforeCommit()
      throws Exception {
    SecuredPortal p = tlsPortal();

    HttpResponse<String> flushed = p.get(p.https("/app/weaker-headers"));
    HttpResponse<String> returned = p.get(p.https("/app/weaker-headers-no-flush"));

    for (HttpResponse<String> r : List.of(flushed, returned)) {
      assertThat(r.headers().allValues("X-Frame-Options")).containsExactly("DENY");
      assertThat(r.headers().allValues("Referrer-Policy"))
          .containsExactly(TransportStage.REFERRER_POLICY);
      assertThat(r.headers().allValues("Strict-Transport-Security"))
          .containsExactly("max-age=31536000");
    }
  }

  @Test
  void hsts_isSentOnlyOnSecureRequests_withTheConfiguredMaxAgeAndSubdomains() throws Exception {
    SecuredPortal p = portal(TransportConfig.builder()
        .developmentMode(true)
        .trustedProxies("127.0.0.0/8")
        .hstsMaxAge(Duration.ofDays(2))
        .hstsIncludeSubDomains(true));

    HttpResponse<String> secure = p.get(p.http("/app/echo"), "X-Forwarded-Proto", "https");
    HttpResponse<String> plain = p.get(p.http("/app/echo"));

    assertThat(secure.body()).isEqualTo("addr=127.0.0.1 secure=true");
    assertThat(secure.headers().firstValue(HSTS)).contains("max-age=172800; includeSubDomains");
    assertThat(plain.body()).isEqualTo("addr=127.0.0.1 secure=false");
    assertThat(plain.headers().firstValue(HSTS)).isEmpty();
    assertFrameAndSniffingHeaders(plain);
  }

  @Test
  void forwardingHeadersFromAnUntrustedPeer_changeNeitherAddressNorSecurity() throws Exception {
    SecuredPortal dev = portal(TransportConfig.builder().developmentMode(true));
    SecuredPortal strict = portal(redirecting());
    String[][] claims = {
      {"X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9"},
      {"Forwarded", "for=203.0.113.9;proto=https"},
    };

    for (String[] claim : claims) {
      HttpResponse<String> passed = dev.get(dev.http("/app/echo"), claim);
      assertThat(passed.body()).isEqualTo("addr=127.0.0.1 secure=false");
      assertThat(passed.headers().firstValue(HSTS)).isEmpty();
      assertThat(strict.get(strict.http("/app/echo"), claim).statusCode()).isEqualTo(308);
    }
  }

  @Test
  void forwardingHeadersFromATrustedProxy_giveTheClientsAddressAndSecurity() throws Exception {
    SecuredPortal p = portal(redirecting().trustedProxies("127.0.0.0/8"));

    HttpResponse<String> xForwarded =
        p.get(p.http("/app/echo"), "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9");
    HttpResponse<String> forwarded =
        p.get(p.http("/app/echo"), "Forwarded", "for=\"[2001:db8::7]:4711\";proto=https");
    HttpResponse<String> plainAtTheProxy =
        p.get(p.http("/app/echo"), "X-Forwarded-Proto", "http", "X-Forwarded-For", "203.0.113.9");

    assertThat(xForwarded.statusCode()).isEqualTo(200);
    assertThat(xForwarded.body()).isEqualTo("addr=203.0.113.9 secure=true");
    assertThat(xForwarded.headers().firstValue(HSTS)).contains("max-age=31536000");
    assertThat(forwarded.body()).isEqualTo("addr=2001:db8::7 secure=true");
    assertThat(plainAtTheProxy.statusCode()).isEqualTo(308);
  }

  @Test
  void xForwardedOnly_ignoresAClientsForwarded_andServesHttpsForTheXForwardedForAddress()
      throws Exception {
    SecuredPortal p = portal(
        redirecting().trustedProxies("127.0.0.0/8").forwardedHeaders(ForwardedHeaders.X_FORWARDED));

    HttpResponse<String> proxied = p.get(
        p.http("/app/echo"),
        "X-Forwarded-Proto",
        "https",
        "X-Forwarded-For",
        "203.0.113.9",
        "Forwarded",
        "for=198.51.100.1;proto=http");
    HttpResponse<String> forwardedAlone =
        p.get(p.http("/app/echo"), "Forwarded", "for=198.51.100.1;proto=https");

    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body()).isEqualTo("addr=203.0.113.9 secure=true");
    assertThat(proxied.headers().firstValue(HSTS)).contains("max-age=31536000");
    assertThat(forwardedAlone.statusCode())
        .as("Forwarded alone is not the proxy's word: its own plain-HTTP request, redirected")
        .isEqualTo(308);
  }

  @Test
  void forwardedOnly_ignoresAClientsXForwarded_andServesHttpsForTheForwardedAddress()
      throws Exception {
    SecuredPortal p = portal(
        redirecting().trustedProxies("127.0.0.0/8").forwardedHeaders(ForwardedHeaders.FORWARDED));

    HttpResponse<String> proxied = p.get(
        p.http("/app/echo"),
        "Forwarded",
        "for=198.51.100.1;proto=https",
        "X-Forwarded-Proto",
        "http",
        "X-Forwarded-For",
        "203.0.113.9");
    HttpResponse<String> xForwardedAlone =
        p.get(p.http("/app/echo"), "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9");

    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body()).isEqualTo("addr=198.51.100.1 secure=true");
    assertThat(proxied.headers().firstValue(HSTS)).contains("max-age=31536000");
    assertThat(xForwardedAlone.statusCode())
        .as("X-Forwarded-* alone is not the proxy's word: its own plain-HTTP request, redirected")
        .isEqualTo(308);
  }

  @Test
  void bothKinds_theDefault_areBelievedOnlyWhenTheyAgree() throws Exception {
    SecuredPortal p = portal(redirecting().trustedProxies("127.0.0.0/8"));

    HttpResponse<String> agreeing = p.get(
        p.http("/app/echo"),
        "Forwarded",
        "for=203.0.113.9;proto=https",
        "X-Forwarded-Proto",
        "https",
        "X-Forwarded-For",
        "203.0.113.9");
    HttpResponse<String> disagreeing = p.get(
        p.http("/app/echo"),
        "Forwarded",
        "for=198.51.100.1;proto=https",
        "X-Forwarded-Proto",
        "https",
        "X-Forwarded-For",
        "203.0.113.9");

    assertThat(agreeing.body()).isEqualTo("addr=203.0.113.9 secure=true");
    assertThat(disagreeing.statusCode()).isEqualTo(308);
  }

  @Test
  void developmentMode_letsPlainHttpThroughFromLoopbackOnly() throws Exception {
    SecuredPortal p =
        portal(TransportConfig.builder().developmentMode(true).trustedProxies("127.0.0.0/8"));

    HttpResponse<String> local = p.get(p.http("/app/echo"));
    // The test client can only connect from loopback; a local proxy forwarding for a remote client
    // stands in for a remote peer.
    HttpResponse<String> remoteGet = p.get(p.http("/app/echo"), "X-Forwarded-For", "203.0.113.9");
    HttpResponse<String> remotePost =
        p.send(request(p.http("/app/echo"), "POST").header("X-Forwarded-For", "203.0.113.9"));

    assertThat(local.statusCode()).isEqualTo(200);
    assertThat(local.body()).isEqualTo("addr=127.0.0.1 secure=false");
    assertThat(remoteGet.statusCode()).isEqualTo(308);
    assertThat(remotePost.statusCode()).isEqualTo(403);
  }

  @Test
  void malformedForwardingHeaders_neverCauseAServerError() throws Exception {
    List<String> bad = List.of(
        "Forwarded: for=",
        "Forwarded: ;;;",
        "Forwarded: for=\"[::1",
        "Forwarded: ,,,",
        "Forwarded: proto=https;proto=http",
        "Forwarded: for=999.1.1.1;proto=https",
        "Forwarded: for=unknown;proto=https",
        "Forwarded: for=_hidden;proto=https",
        "Forwarded: for=\"\\\"\";proto=https",
        "Forwarded: proto",
        "Forwarded: for=1.2.3.4;proto=\"\"",
        "Forwarded: =",
        "Forwarded: " + "for=1.2.3.4,".repeat(400),
        "Forwarded: for=[::1]]:80;proto=https",
        "Forwarded: for=\"[zz::1]\";proto=https",
        "X-Forwarded-For: ,,,,",
        "X-Forwarded-For: " + "10.0.0.1,".repeat(400),
        "X-Forwarded-For: [::1]:80",
        "X-Forwarded-For: 1.2.3.4%eth0",
        "X-Forwarded-For: ::ffff:999.0.0.1",
        "X-Forwarded-For: 1.2.3.4:99999",
        "X-Forwarded-For: 01.02.03.004",
        "X-Forwarded-For: \u00e9\u00e9",
        "X-Forwarded-Proto: javascript",
        "X-Forwarded-Proto: HTTPS",
        "X-Forwarded-Proto: https, http, https",
        "X-Forwarded-Proto: ",
        "X-Forwarded-Proto: " + "https".repeat(1000));
    SecuredPortal trusted = portal(redirecting().trustedProxies("127.0.0.0/8"));
    SecuredPortal untrusted = portal(redirecting());
    List<Integer> seen = new ArrayList<>();

    for (SecuredPortal p : List.of(trusted, untrusted)) {
      for (String header : bad) {
        SecuredPortal.RawResponse r = p.raw("GET", "/app/echo", header);
        assertThat(r.status()).as(header).isBetween(200, 499);
        assertThat(r.body())
            .as(header)
            .doesNotContain("Exception")
            .doesNotContain("at dev.portcullis");
        seen.add(r.status());
      }
    }
    assertThat(seen)
        .as("the requests were answered, not dropped")
        .isNotEmpty()
        .allMatch(s -> s > 0);
  }

  // An absolute-form request target ("GET https://host/path HTTP/1.1") names a scheme of its own,
  // and Jetty 12 calls such a request secure (isSecure(), getScheme()) even on its plain connector
  // (JettyConnectionSecurityTest). Over plain HTTP it is plain HTTP all the same.

  @Test
  void plainGet_withAnAbsoluteFormHttpsTarget_isRedirectedWith308ToTheCanonicalHttpsUrl()
      throws Exception {
    SecuredPortal p = tlsPortal();

    SecuredPortal.RawResponse local =
        p.raw("GET", "https://localhost/app/echo?x=1", "Host: localhost");
    SecuredPortal.RawResponse forged =
        p.raw("GET", "https://evil.example/app/echo", "Host: evil.example");

    assertThat(local.status()).isEqualTo(308);
    assertThat(local.headers().get("location"))
        .isEqualTo(p.https("/app/echo?x=1").toString());
    assertThat(local.headers().get("cache-control")).isEqualTo("no-store");
    assertThat(local.headers())
        .as("never over plain HTTP (RFC 6797 8.1)")
        .doesNotContainKey("strict-transport-security");
    assertThat(forged.status()).isEqualTo(308);
    assertThat(forged.headers().get("location")).isEqualTo(p.https("/app/echo").toString());
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void plainPost_withAnAbsoluteFormHttpsTarget_isRefusedWith403_beforeTheBodyIsRead()
      throws Exception {
    SecuredPortal p = portal(redirecting());

    SecuredPortal.RawResponse r =
        startOfA50MbForm(p, "https://portal.example/app/echo", "portal.example");

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("This portal only accepts HTTPS.\n");
    assertThat(r.headers().get("connection")).isEqualTo("close");
    assertThat(r.headers()).doesNotContainKey("strict-transport-security");
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void developmentMode_absoluteFormHttpsTargetFromLoopback_isServedAsPlainHttp_withoutHsts()
      throws Exception {
    SecuredPortal p = portal(TransportConfig.builder().developmentMode(true));

    SecuredPortal.RawResponse r = p.raw("GET", "https://localhost/app/echo", "Host: localhost");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("addr=127.0.0.1 secure=false");
    assertThat(r.headers()).doesNotContainKey("strict-transport-security");
  }

  @Test
  void trustedProxy_isBelievedFromItsHeaders_neverFromTheSchemeOfTheTarget() throws Exception {
    SecuredPortal p = portal(redirecting().trustedProxies("127.0.0.0/8"));

    SecuredPortal.RawResponse withoutProto =
        p.raw("GET", "https://portal.example/app/echo", "Host: portal.example");
    SecuredPortal.RawResponse proxySaysHttps = p.raw(
        "GET",
        "https://portal.example/app/echo",
        "Host: portal.example",
        "X-Forwarded-Proto: https",
        "X-Forwarded-For: 203.0.113.9");
    SecuredPortal.RawResponse proxySaysHttp = p.raw(
        "GET",
        "https://portal.example/app/echo",
        "Host: portal.example",
        "X-Forwarded-Proto: http");

    assertThat(withoutProto.status()).isEqualTo(308);
    assertThat(proxySaysHttps.status()).isEqualTo(200);
    assertThat(proxySaysHttps.body()).isEqualTo("addr=203.0.113.9 secure=true");
    assertThat(proxySaysHttp.status()).isEqualTo(308);
  }

  @Test
  void tlsRequest_isHttps_whateverSchemeItsTargetNames() throws Exception {
    SecuredPortal p = tlsPortal();

    SecuredPortal.RawResponse originForm = p.rawTls("GET", "/app/echo");
    SecuredPortal.RawResponse absoluteHttp =
        p.rawTls("GET", "http://localhost/app/echo", "Host: localhost");

    for (SecuredPortal.RawResponse r : List.of(originForm, absoluteHttp)) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("addr=127.0.0.1 secure=true");
      assertThat(r.headers().get("strict-transport-security")).isEqualTo("max-age=31536000");
    }
  }

  @Test
  void containerDecidesHttps_believesTheContainersIsSecure_absoluteFormTargetsIncluded()
      throws Exception {
    SecuredPortal p = portal(redirecting().containerDecidesHttps(true));

    SecuredPortal.RawResponse believed =
        p.raw("GET", "https://portal.example/app/echo", "Host: portal.example");
    SecuredPortal.RawResponse plain = p.raw("GET", "/app/echo");

    assertThat(believed.status())
        .as("what the opt-in is for: the container's word, here the request line's")
        .isEqualTo(200);
    assertThat(believed.body()).isEqualTo("addr=127.0.0.1 secure=true");
    assertThat(believed.headers().get("strict-transport-security")).isEqualTo("max-age=31536000");
    assertThat(plain.status()).isEqualTo(308);
  }

  @Test
  void aContainerThatCallsAPlainConnectionSecure_isWarnedOfOnce_namingTheWayOut() throws Exception {
    SecuredPortal p = portal(redirecting());

    String logged = CapturedStderr.during(() -> {
      for (int i = 0; i < 3; i++) {
        assertThat(p.raw("GET", "https://portal.example/app/echo", "Host: portal.example")
                .status())
            .isEqualTo(308);
      }
    });

    assertThat(logged.split("reports a request as HTTPS although its connection", -1))
        .as("one warning for three requests")
        .hasSize(2);
    assertThat(logged).contains("trustedProxies").contains("containerDecidesHttps(true)");
  }

  @Test
  void withoutATransportStage_theApplicationSeesTheConnectionsSecurity_notTheTargetsScheme()
      throws Exception {
    SecuredPortal p = portal(ports -> new PortcullisFilter(List.of(new HeaderLoginStage())), false);

    SecuredPortal.RawResponse r = p.raw("GET", "https://localhost/app/echo", "Host: localhost");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("addr=127.0.0.1 secure=false");
  }

  @Test
  void authenticatedResponses_areMarkedNoStore_anonymousOnesKeepTheApplicationsCaching()
      throws Exception {
    SecuredPortal p = portal(
        ports -> new PortcullisFilter(List.of(
            new TransportStage(TransportConfig.builder().developmentMode(true).build()),
            new HeaderLoginStage())),
        false);

    HttpResponse<String> loggedIn =
        p.get(p.http("/app/cacheable"), HeaderLoginStage.HEADER, "PROVIDER");
    HttpResponse<String> loggedInAfterReset =
        p.get(p.http("/app/reset"), HeaderLoginStage.HEADER, "PROVIDER");
    HttpResponse<String> anonymous = p.get(p.http("/app/cacheable"));
    HttpResponse<String> anonymousEcho = p.get(p.http("/app/echo"));

    assertThat(loggedIn.headers().allValues("Cache-Control")).containsExactly("no-store");
    assertThat(loggedInAfterReset.headers().allValues("Cache-Control")).containsExactly("no-store");
    assertThat(anonymous.headers().allValues("Cache-Control"))
        .containsExactly("public, max-age=3600");
    assertThat(anonymousEcho.headers().firstValue("Cache-Control")).isEmpty();
  }

  @Test
  void traceRequest_isRefusedWith405BeforeTheApplication_andNeverEchoesTheHttpOnlyCookies()
      throws Exception {
    SecuredPortal p =
        pagePortal(TransportConfig.builder().canonicalHost("127.0.0.1").build(), true);
    String cookies =
        "__Host-portcullis-auth=sealed-auth-value; __Host-portcullis-sid=session-id-value";

    // The control: without Portcullis the servlet API's own TRACE answer echoes the cookies (here
    // over plain HTTP).
    SecuredPortal.RawResponse unprotected = p.raw("TRACE", "/raw/account", "Cookie: " + cookies);
    assertThat(unprotected.status()).isEqualTo(200);
    assertThat(unprotected.body()).contains("sealed-auth-value");

    HttpResponse<String> traced = p.send(HttpRequest.newBuilder(p.https("/app/account"))
        .method("TRACE", HttpRequest.BodyPublishers.noBody())
        .header("Cookie", cookies));

    assertThat(traced.statusCode()).isEqualTo(405);
    assertThat(traced.body())
        .isEqualTo("Method not allowed.\n")
        .doesNotContain("sealed-auth-value", "session-id");
    assertThat(traced.headers().firstValue("Allow")).contains(TransportStage.ALLOWED_METHODS);
    assertThat(traced.headers().firstValue("Allow").orElseThrow()).doesNotContain("TRACE");
    assertThat(traced.headers().firstValue(HSTS)).contains("max-age=31536000");
    assertFrameAndSniffingHeaders(traced);
  }

  @Test
  void traceAndTrack_inAnyLetterCase_overPlainHttpToo_neverReachTheApplication() throws Exception {
    SecuredPortal p = pagePortal(TransportConfig.builder().developmentMode(true).build(), false);

    for (String method : List.of("TRACE", "TRACK", "trace", "Track")) {
      SecuredPortal.RawResponse r =
          p.raw(method, "/app/account", "Cookie: __Host-portcullis-auth=sealed-auth-value");
      assertThat(r.status()).as(method).isEqualTo(405);
      assertThat(r.body()).as(method).doesNotContain("sealed-auth-value");
      assertThat(r.headers().get("allow")).as(method).isEqualTo(TransportStage.ALLOWED_METHODS);
      assertThat(r.headers().get("x-frame-options")).as(method).isEqualTo("DENY");
    }
    assertThat(p.raw("GET", "/app/account").body())
        .as("other methods still reach the application")
        .isEqualTo("page");
  }

  @Test
  void optionsAnswer_ofTheServletApi_noLongerAdvertisesTrace() throws Exception {
    SecuredPortal p = pagePortal(TransportConfig.builder().developmentMode(true).build(), false);

    SecuredPortal.RawResponse unprotected = p.raw("OPTIONS", "/raw/account");
    SecuredPortal.RawResponse options = p.raw("OPTIONS", "/app/account");

    assertThat(unprotected.headers().get("allow"))
        .as("the servlet API lists TRACE by itself")
        .contains("TRACE");
    assertThat(options.status()).isEqualTo(200);
    assertThat(options.headers().get("allow"))
        .contains("GET")
        .doesNotContain("TRACE")
        .doesNotContain("TRACK");
    assertThat(TransportStage.withoutTrace("GET, HEAD, TRACE, OPTIONS"))
        .isEqualTo("GET, HEAD, OPTIONS");
    assertThat(TransportStage.withoutTrace("trace,GET,track")).isEqualTo("GET");
  }

  /** An application that is a plain servlet: only {@code doGet}; TRACE and OPTIONS as the servlet API answers them. */
  static final class PageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      resp.getWriter().write("page");
    }
  }

  /** The application: answers on every method and counts how often it ran. */
  static final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    final transient AtomicInteger calls = new AtomicInteger();

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      calls.incrementAndGet();
      String op = req.getPathInfo() == null ? "/" : req.getPathInfo();
      resp.setContentType("text/plain;charset=utf-8");
      switch (op) {
        case "/echo" ->
          resp.getWriter().write("addr=" + req.getRemoteAddr() + " secure=" + req.isSecure());
        case "/reset" -> {
          resp.setHeader("X-Frame-Options", "SAMEORIGIN");
          resp.getWriter().write("lost");
          resp.reset();
          resp.setContentType("text/plain;charset=utf-8");
          resp.getWriter().write("after reset");
          resp.flushBuffer(); // commits now, before Portcullis sees the chain return
        }
        case "/error" -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        case "/async" -> {
          AsyncContext async = req.startAsync();
          async.start(() -> {
            try {
              HttpServletResponse r = (HttpServletResponse) async.getResponse();
              r.reset();
              r.setContentType("text/plain;charset=utf-8");
              r.getWriter().write("async after reset");
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } finally {
              async.complete();
            }
          });
        }
        case "/throw" -> throw new IllegalStateException("application failure");
        case "/large" -> resp.getWriter().write("x".repeat(256 * 1024));
        case "/weaker-headers", "/weaker-headers-no-flush" -> {
          resp.setHeader("X-Frame-Options", "SAMEORIGIN");
          resp.setHeader("Referrer-Policy", "unsafe-url");
          resp.setHeader("Strict-Transport-Security", "max-age=0");
          resp.getWriter().write("weaker");
          if (op.equals("/weaker-headers")) {
            resp.flushBuffer(); // commits now, before Portcullis sees the chain return
          }
        }
        case "/csp" -> {
          resp.setHeader("Content-Security-Policy", "default-src 'self'");
          resp.getWriter().write("csp");
        }
        case "/override" -> {
          resp.setHeader("X-Frame-Options", "SAMEORIGIN");
          resp.addHeader("X-Content-Type-Options", "none");
          resp.setDateHeader("Referrer-Policy", 0L);
          resp.setIntHeader("Strict-Transport-Security", 0);
          resp.getWriter().write("override");
        }
        case "/cacheable" -> {
          resp.setHeader("Cache-Control", "public, max-age=3600");
          resp.getWriter().write("cacheable");
        }
        default -> resp.getWriter().write("ok");
      }
    }
  }
}
