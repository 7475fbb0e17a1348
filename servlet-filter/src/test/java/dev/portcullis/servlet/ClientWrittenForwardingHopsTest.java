package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.transport.ForwardedHeaders;
import dev.portcullis.transport.TransportConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: a forwarding chain was read whole before its right-most untrusted hop was looked for, so what the client
 * wrote left of the proxy's own entry (more than 20 {@code X-Forwarded-For} hops, or a {@code Forwarded} element
 * without {@code =}) made the request count as the proxy's own. Over a TLS connection from the proxy, the client then
 * passed for the proxy: the audit log recorded the proxy's address instead of the client's, and the login limit
 * counted the client in the proxy's budget instead of its own. Only what the trusted proxies wrote is read now. A real
 * Jetty with an HTTPS connector; the test client, on loopback, is the trusted proxy.
 */
class ClientWrittenForwardingHopsTest {
  private static final String CLIENT = "203.0.113.7";

  private static LoginPortal portal(ForwardedHeaders kind) throws Exception {
    return LoginPortal.on(
        TestJetty.builder().https(),
        (p, f) -> f.transport(TransportConfig.builder()
            .trustedProxies(List.of("127.0.0.1"))
            .forwardedHeaders(kind)
            .redirectPlainHttp(false)
            .build()));
  }

  /** A failed login through the proxy, whose request carries {@code header: value}; the address audited for it. */
  private static String auditedAddressOfFailedLogin(LoginPortal portal, String header, String value)
      throws Exception {
    Browser mallory = new Browser(
        portal.httpsBase(),
        HttpClient.newBuilder().sslContext(portal.clientTls()).build());
    mallory.openLoginPage();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "alice");
    form.put("password", "wrong-pw");
    form.put("_csrf", mallory.csrf);
    HttpResponse<String> login = mallory.send(HttpRequest.newBuilder(mallory.uri("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header(header, value)
        .POST(HttpRequest.BodyPublishers.ofString(Browser.form(form))));
    assertThat(login.headers().firstValue("Location"))
        .as("a refused login")
        .hasValue("/login?error=1");
    return portal
        .flushedSink()
        .assertOnce(AuditEventType.AUTHN_LOGIN_FAIL)
        .clientAddress()
        .orElse("none");
  }

  @Test
  void moreHopsThanAnyChain_writtenByTheClient_leaveItItsOwnAddress() throws Exception {
    String chain = String.join(", ", Collections.nCopies(25, "198.51.100.1")) + ", " + CLIENT;
    try (LoginPortal portal = portal(ForwardedHeaders.X_FORWARDED)) {
      assertThat(auditedAddressOfFailedLogin(portal, "X-Forwarded-For", chain)).isEqualTo(CLIENT);
    }
  }

  @Test
  void malformedForwardedElement_writtenByTheClient_leavesItItsOwnAddress() throws Exception {
    try (LoginPortal portal = portal(ForwardedHeaders.FORWARDED)) {
      assertThat(auditedAddressOfFailedLogin(
              portal, "Forwarded", "not-a-pair, for=" + CLIENT + ";proto=https"))
          .isEqualTo(CLIENT);
    }
  }

  @Test
  void malformedHop_writtenByTheProxy_stillMakesTheRequestTheProxysOwn() throws Exception {
    try (LoginPortal portal = portal(ForwardedHeaders.FORWARDED)) {
      assertThat(auditedAddressOfFailedLogin(
              portal, "Forwarded", "for=" + CLIENT + ";proto=https, not-a-pair"))
          .isEqualTo("127.0.0.1");
    }
  }
}
