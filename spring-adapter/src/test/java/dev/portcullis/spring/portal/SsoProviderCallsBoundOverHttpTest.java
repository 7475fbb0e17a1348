package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.servlet.testing.HangingTokenEndpointProvider;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.testing.RecordingAuditSink;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code portcullis.sso.max-concurrent-provider-calls} in the Spring MVC test portal on embedded Tomcat, over HTTP,
 * with a provider on loopback whose token endpoint hangs: with the property at 1, a login's callback that waits on
 * the provider takes the only place, and a second login's callback, valid in every way, is answered {@code 503} at once
 * without a token request. Regression: the starter had no such property, so the bound was 16 whatever the deployer
 * needed.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
class SsoProviderCallsBoundOverHttpTest {
  private static HangingTokenEndpointProvider provider;
  private static final ExecutorService browsers = Executors.newCachedThreadPool();
  private static int port;

  @DynamicPropertySource
  static void sso(DynamicPropertyRegistry registry) throws Exception {
    provider = new HangingTokenEndpointProvider();
    // The redirect URI is configuration, so the portal's port is chosen before it starts.
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    registry.add("server.port", () -> port);
    registry.add("portcullis.sso.enabled", () -> "true");
    registry.add("portcullis.sso.issuer", provider::issuer);
    registry.add("portcullis.sso.client-id", () -> "portal");
    registry.add("portcullis.sso.client-secret", () -> "client-secret-from-the-environment-42");
    registry.add("portcullis.sso.redirect-uri", () -> "http://127.0.0.1:" + port + "/sso/callback");
    registry.add("portcullis.sso.provider-timeout", () -> "60s");
    registry.add("portcullis.sso.max-concurrent-provider-calls", () -> "1");
  }

  @AfterAll
  static void stopProvider() throws Exception {
    // The held token request fails first, so that the portal's request thread is free to stop.
    provider.close();
    browsers.shutdownNow();
  }

  @Autowired
  AuditSink sink;

  @Autowired
  AuditLog audit;

  @Autowired
  SsoConfig sso;

  @Test
  void withTheBoundAtOne_aSecondCallbackWhileTheProviderHangs_isTurnedAwayWithoutAskingIt()
      throws Exception {
    assertThat(sso.maxConcurrentProviderCalls()).isEqualTo(1);
    Browser first = new Browser("http://127.0.0.1:" + port);
    String firstCallback = HangingTokenEndpointProvider.callbackOfANewLogin(first, Browser.CSRF);
    browsers.submit(() -> first.get(firstCallback));
    assertThat(provider.awaitTokenRequests(1))
        .as("the first callback's token request")
        .isTrue();

    Browser second = new Browser("http://127.0.0.1:" + port);
    HttpResponse<String> turnedAway =
        second.get(HangingTokenEndpointProvider.callbackOfANewLogin(second, Browser.CSRF));

    assertThat(turnedAway.statusCode()).as(turnedAway.body()).isEqualTo(503);
    assertThat(provider.tokenRequests())
        .as("the second callback never reached the provider")
        .isEqualTo(1);
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    List<AuditEvent> busy = ((RecordingAuditSink) sink)
        .events().stream()
            .filter(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_FAIL))
            .filter(e -> e.reason().orElse("").contains("busy"))
            .toList();
    assertThat(busy)
        .singleElement()
        .satisfies(e -> assertThat(e.reason())
            .contains("SSO callback: OpenID provider busy: 1 requests already waiting on it"));
  }
}
