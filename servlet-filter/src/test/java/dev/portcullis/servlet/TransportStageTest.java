package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

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

  private SecuredPortal portal(Function<SecuredPortal.Ports, PortcullisFilter> filter, boolean tls) throws Exception {
    SecuredPortal p = new SecuredPortal(filter::apply, servlet, tls, SecuredPortal.Uris.JETTY_DEFAULT);
    portals.add(p);
    return p;
  }

  private SecuredPortal portal(TransportConfig.Builder config) throws Exception {
    return portal(ports -> PortcullisFilter.builder().transport(config.build()).build(), false);
  }

  /** TLS and plain connectors; plain HTTP is redirected to the real TLS port. */
  private SecuredPortal tlsPortal() throws Exception {
    return portal(ports -> PortcullisFilter.builder()
        .transport(TransportConfig.builder().httpsPort(ports.https()).build()).build(), true);
  }

  private static HttpRequest.Builder request(java.net.URI uri, String method) {
    return HttpRequest.newBuilder(uri).method(method, method.equals("GET") || method.equals("HEAD")
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("name=value"));
  }

  private static void assertFrameAndSniffingHeaders(HttpResponse<?> r) {
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(r.headers().allValues("Content-Security-Policy")).contains("frame-ancestors 'none'");
    assertThat(r.headers().firstValue("Referrer-Policy")).contains("strict-origin-when-cross-origin");
  }

  @Test
  void plainGet_withDefaultTransport_isRedirectedWith308ToTheSameHostPathAndQueryOnPort443() throws Exception {
    SecuredPortal p = portal(ports -> PortcullisFilter.builder().build(), false);

    HttpResponse<String> r = p.get(p.http("/app/reports/1?year=2026&q=a%2Fb%20c"));

    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(r.headers().firstValue("Location")).contains("https://127.0.0.1/app/reports/1?year=2026&q=a%2Fb%20c");
    assertThat(r.body()).isEmpty();
    assertThat(servlet.calls).hasValue(0);
    assertFrameAndSniffingHeaders(r);
    assertThat(r.headers().firstValue(HSTS)).as("never over plain HTTP (RFC 6797 8.1)").isEmpty();
  }

  @Test
  void plainGet_keepsTheHostHeadersHost_andDropsItsPort() throws Exception {
    SecuredPortal p = portal(TransportConfig.builder());

    SecuredPortal.RawResponse port80 = p.raw("GET", "/app/x?y=1", "Host: portal.example:80");
    SecuredPortal.RawResponse noPort = p.raw("GET", "/app/x", "Host: portal.example");
    SecuredPortal.RawResponse ipv6 = p.raw("GET", "/app/x", "Host: [2001:db8::1]:8080");
    SecuredPortal.RawResponse otherPort =
        portal(TransportConfig.builder().httpsPort(8443)).raw("GET", "/app/x", "Host: portal.example:8080");

    assertThat(port80.headers().get("location")).isEqualTo("https://portal.example/app/x?y=1");
    assertThat(noPort.headers().get("location")).isEqualTo("https://portal.example/app/x");
    assertThat(ipv6.headers().get("location")).isEqualTo("https://[2001:db8::1]/app/x");
    assertThat(otherPort.headers().get("location")).isEqualTo("https://portal.example:8443/app/x");
  }

  @Test
  void plainGet_withAHostThatCouldBendTheRedirect_isRefusedNotRedirected() throws Exception {
    SecuredPortal p = portal(TransportConfig.builder());

    for (String host : List.of("Host: evil.example@portal.example", "Host: portal.example%2f.evil.example",
        "Host: portal.example,evil.example")) {
      SecuredPortal.RawResponse r = p.raw("GET", "/app/x", host);
      assertThat(r.status()).as(host).isEqualTo(400);
      assertThat(r.headers()).as(host).doesNotContainKey("location");
    }
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void plainHead_isRedirectedToo() throws Exception {
    SecuredPortal p = portal(TransportConfig.builder());

    HttpResponse<String> r = p.send(request(p.http("/app/echo?a=1"), "HEAD"));

    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(r.headers().firstValue("Location")).contains("https://127.0.0.1/app/echo?a=1");
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void redirect_leadsToTheConfiguredHttpsPort_whereTheRealTlsPageIsServedWithHsts() throws Exception {
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
    SecuredPortal p = portal(TransportConfig.builder());
    String head = "POST /app/echo HTTP/1.1\r\nHost: 127.0.0.1:" + p.ports.http() + "\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 50000000\r\n\r\n";
    byte[] start = "name=".concat("x".repeat(16_000)).getBytes(StandardCharsets.US_ASCII);

    // Only the start of a 50 MB body is ever sent: a server that read the body would still be waiting for it.
    SecuredPortal.RawResponse r = p.rawPartial(head, start, Duration.ofSeconds(10));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("This portal only accepts HTTPS.\n");
    assertThat(r.headers().get("connection")).isEqualTo("close");
    assertThat(r.headers().get("x-frame-options")).isEqualTo("DENY");
    assertThat(servlet.calls).hasValue(0);
  }

  @Test
  void otherPlainMethods_areRefusedWith403() throws Exception {
    SecuredPortal p = portal(TransportConfig.builder());

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

    for (String path : List.of("/app/echo", "/app/reset", "/app/error", "/app/throw", "/app/large", "/app/csp",
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
    assertThat(r.headers().allValues("Referrer-Policy")).containsExactly(TransportStage.REFERRER_POLICY);
    assertThat(r.headers().allValues(HSTS)).containsExactly("max-age=31536000");
  }

  @Test
  void applicationsOwnContentSecurityPolicy_isKept_andFrameAncestorsIsAddedBesideIt() throws Exception {
    SecuredPortal p = tlsPortal();

    HttpResponse<String> r = p.get(p.https("/app/csp"));

    assertThat(r.headers().allValues("Content-Security-Policy"))
        .containsExactlyInAnyOrder("default-src 'self'", "frame-ancestors 'none'");
  }

  @Test
  void applicationsOwnSecurityHeaders_setAfterTheFilterWroteItsOwn_areOverriddenBeforeCommit() throws Exception {
    SecuredPortal p = tlsPortal();

    HttpResponse<String> flushed = p.get(p.https("/app/weaker-headers"));
    HttpResponse<String> returned = p.get(p.https("/app/weaker-headers-no-flush"));

    for (HttpResponse<String> r : List.of(flushed, returned)) {
      assertThat(r.headers().allValues("X-Frame-Options")).containsExactly("DENY");
      assertThat(r.headers().allValues("Referrer-Policy")).containsExactly(TransportStage.REFERRER_POLICY);
      assertThat(r.headers().allValues("Strict-Transport-Security")).containsExactly("max-age=31536000");
    }
  }

  @Test
  void hsts_isSentOnlyOnSecureRequests_withTheConfiguredMaxAgeAndSubdomains() throws Exception {
    SecuredPortal p = portal(TransportConfig.builder().developmentMode(true).trustedProxies("127.0.0.0/8")
        .hstsMaxAge(Duration.ofDays(2)).hstsIncludeSubDomains(true));

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
    SecuredPortal strict = portal(TransportConfig.builder());
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
    SecuredPortal p = portal(TransportConfig.builder().trustedProxies("127.0.0.0/8"));

    HttpResponse<String> xForwarded =
        p.get(p.http("/app/echo"), "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9");
    HttpResponse<String> forwarded = p.get(p.http("/app/echo"), "Forwarded", "for=\"[2001:db8::7]:4711\";proto=https");
    HttpResponse<String> plainAtTheProxy =
        p.get(p.http("/app/echo"), "X-Forwarded-Proto", "http", "X-Forwarded-For", "203.0.113.9");

    assertThat(xForwarded.statusCode()).isEqualTo(200);
    assertThat(xForwarded.body()).isEqualTo("addr=203.0.113.9 secure=true");
    assertThat(xForwarded.headers().firstValue(HSTS)).contains("max-age=31536000");
    assertThat(forwarded.body()).isEqualTo("addr=2001:db8::7 secure=true");
    assertThat(plainAtTheProxy.statusCode()).isEqualTo(308);
  }

  @Test
  void developmentMode_letsPlainHttpThroughFromLoopbackOnly() throws Exception {
    SecuredPortal p = portal(TransportConfig.builder().developmentMode(true).trustedProxies("127.0.0.0/8"));

    HttpResponse<String> local = p.get(p.http("/app/echo"));
    // The test client can only connect from loopback; a local proxy forwarding for a remote client stands in for
    // a remote peer.
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
    List<String> bad = List.of("Forwarded: for=", "Forwarded: ;;;", "Forwarded: for=\"[::1", "Forwarded: ,,,",
        "Forwarded: proto=https;proto=http", "Forwarded: for=999.1.1.1;proto=https",
        "Forwarded: for=unknown;proto=https",
        "Forwarded: for=_hidden;proto=https", "Forwarded: for=\"\\\"\";proto=https", "Forwarded: proto",
        "Forwarded: for=1.2.3.4;proto=\"\"", "Forwarded: =", "Forwarded: " + "for=1.2.3.4,".repeat(400),
        "Forwarded: for=[::1]]:80;proto=https", "Forwarded: for=\"[zz::1]\";proto=https",
        "X-Forwarded-For: ,,,,", "X-Forwarded-For: " + "10.0.0.1,".repeat(400), "X-Forwarded-For: [::1]:80",
        "X-Forwarded-For: 1.2.3.4%eth0", "X-Forwarded-For: ::ffff:999.0.0.1", "X-Forwarded-For: 1.2.3.4:99999",
        "X-Forwarded-For: 01.02.03.004", "X-Forwarded-For: \u00e9\u00e9", "X-Forwarded-Proto: javascript",
        "X-Forwarded-Proto: HTTPS", "X-Forwarded-Proto: https, http, https", "X-Forwarded-Proto: ",
        "X-Forwarded-Proto: " + "https".repeat(1000));
    SecuredPortal trusted = portal(TransportConfig.builder().trustedProxies("127.0.0.0/8"));
    SecuredPortal untrusted = portal(TransportConfig.builder());
    List<Integer> seen = new ArrayList<>();

    for (SecuredPortal p : List.of(trusted, untrusted)) {
      for (String header : bad) {
        SecuredPortal.RawResponse r = p.raw("GET", "/app/echo", header);
        assertThat(r.status()).as(header).isBetween(200, 499);
        assertThat(r.body()).as(header).doesNotContain("Exception").doesNotContain("at dev.portcullis");
        seen.add(r.status());
      }
    }
    assertThat(seen).as("the requests were answered, not dropped").isNotEmpty().allMatch(s -> s > 0);
  }

  @Test
  void authenticatedResponses_areMarkedNoStore_anonymousOnesKeepTheApplicationsCaching() throws Exception {
    SecuredPortal p = portal(ports -> new PortcullisFilter(List.of(
        new TransportStage(TransportConfig.builder().developmentMode(true).build()), new HeaderLoginStage())), false);

    HttpResponse<String> loggedIn = p.get(p.http("/app/cacheable"), HeaderLoginStage.HEADER, "PROVIDER");
    HttpResponse<String> loggedInAfterReset = p.get(p.http("/app/reset"), HeaderLoginStage.HEADER, "PROVIDER");
    HttpResponse<String> anonymous = p.get(p.http("/app/cacheable"));
    HttpResponse<String> anonymousEcho = p.get(p.http("/app/echo"));

    assertThat(loggedIn.headers().allValues("Cache-Control")).containsExactly("no-store");
    assertThat(loggedInAfterReset.headers().allValues("Cache-Control")).containsExactly("no-store");
    assertThat(anonymous.headers().allValues("Cache-Control")).containsExactly("public, max-age=3600");
    assertThat(anonymousEcho.headers().firstValue("Cache-Control")).isEmpty();
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
        case "/echo" -> resp.getWriter().write("addr=" + req.getRemoteAddr() + " secure=" + req.isSecure());
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
