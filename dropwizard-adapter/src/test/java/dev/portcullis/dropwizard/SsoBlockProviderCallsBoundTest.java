package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.servlet.testing.HangingTokenEndpointProvider;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code max-concurrent-provider-calls} of the {@code portcullis.sso} block, in a real Dropwizard application over
 * HTTP, with a provider on loopback whose token endpoint hangs: at 1, a second login's callback while the first waits
 * on the provider is answered {@code 503} at once without a token request, and audited. Regression: the block had no
 * such setting (Dropwizard refused the name), so the bound was 16 whatever the deployer needed.
 */
class SsoBlockProviderCallsBoundTest {
  private final ExecutorService browsers = Executors.newCachedThreadPool();
  private HangingTokenEndpointProvider provider;
  private DropwizardTestSupport<PortalApp.Config> support;

  @AfterEach
  void stop() throws Exception {
    // The held token request fails first, so that the application's request thread is free to stop.
    try {
      if (provider != null) {
        provider.close();
      }
      browsers.shutdownNow();
    } finally {
      if (support != null) {
        support.after();
      }
    }
  }

  @Test
  void withTheBoundAtOne_aSecondCallbackWhileTheProviderHangs_isTurnedAwayWithoutAskingIt()
      throws Exception {
    provider = new HangingTokenEndpointProvider();
    support = SsoBlockTest.ssoApp(
        provider.issuer(),
        ConfigOverride.config("portcullis.sso.provider-timeout", "60s"),
        ConfigOverride.config("portcullis.sso.max-concurrent-provider-calls", "1"));
    PortalApp app = (PortalApp) support.getApplication();
    String base = "http://127.0.0.1:" + support.getLocalPort();
    TestBrowser first = new TestBrowser(base);
    String firstCallback =
        HangingTokenEndpointProvider.callbackOfANewLogin(first, SsoBlockTest.FORM_CSRF);
    browsers.submit(() -> first.get(firstCallback));
    assertThat(provider.awaitTokenRequests(1))
        .as("the first callback's token request")
        .isTrue();

    TestBrowser second = new TestBrowser(base);
    HttpResponse<String> turnedAway = second.get(
        HangingTokenEndpointProvider.callbackOfANewLogin(second, SsoBlockTest.FORM_CSRF));

    assertThat(turnedAway.statusCode()).as(turnedAway.body()).isEqualTo(503);
    assertThat(provider.tokenRequests())
        .as("the second callback never reached the provider")
        .isEqualTo(1);
    assertThat(app.bundle.portcullis().audit().flush(Duration.ofSeconds(10))).isTrue();
    List<AuditEvent> busy = app.sink.events().stream()
        .filter(e -> e.type().equals(AuditEventType.AUTHN_LOGIN_FAIL))
        .filter(e -> e.reason().orElse("").contains("busy"))
        .toList();
    assertThat(busy)
        .singleElement()
        .satisfies(e -> assertThat(e.reason())
            .contains("SSO callback: OpenID provider busy: 1 requests already waiting on it"));
  }
}
