package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SSO callbacks while the provider's token endpoint hangs, over real HTTP: the filter on Jetty, mock-oauth2-server as
 * the provider, whose discovery document names a {@link DrippingTokenEndpoint} that answers one byte a minute as the token
 * endpoint. Regression: every callback with its browser's valid state made a token request and held its request
 * thread for the whole provider timeout, with no bound on how many did at once, so logins started from enough
 * addresses could hold every request thread of the portal while the provider was slow. Now at most {@code
 * SsoConfig.maxConcurrentProviderCalls()} requests wait on the provider; one more is answered at once with a plain
 * 503, audited, and its authorization is left for a later try.
 */
class SsoHangingProviderCallbacksTest {
  private DrippingTokenEndpoint tokenEndpoint;
  private SsoPortal sso;
  private ExecutorService browsers;

  @BeforeEach
  void start() throws Exception {
    tokenEndpoint = new DrippingTokenEndpoint(Duration.ofMinutes(1));
    browsers = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() throws Exception {
    // The held token requests fail first, so that the portal's request threads are free to stop.
    try {
      tokenEndpoint.close();
      browsers.shutdownNow();
    } finally {
      if (sso != null) {
        sso.close();
      }
    }
  }

  @Test
  void callbacksBeyondTheDefaultBound_areTurnedAwayWithoutAskingTheProvider() throws Exception {
    sso = new SsoPortal(b -> b.providerTimeout(Duration.ofSeconds(60)), tokenEndpoint.discovery());
    int bound = 16; // SsoConfig.DEFAULT_MAX_CONCURRENT_PROVIDER_CALLS

    List<Future<HttpResponse<String>>> waiting = holdCallbacks(bound);

    // One more login, valid in every way, while the provider holds the others.
    Browser late = sso.browser();
    String callback = sso.callbackFrom(sso.authorizeUrl(late.startSsoLogin()));
    HttpResponse<String> turnedAway = late.get(callback);

    assertThat(turnedAway.statusCode()).as(turnedAway.body()).isEqualTo(503);
    assertThat(tokenEndpoint.requests())
        .as("the callback over the bound never reached the provider")
        .isEqualTo(bound);
    assertThat(waiting).noneMatch(Future::isDone);
    // The provider gives up on the held ones; each fails as a provider failure.
    tokenEndpoint.close();
    for (Future<HttpResponse<String>> held : waiting) {
      assertThat(held.get(2, TimeUnit.MINUTES).statusCode()).isEqualTo(403);
    }
    assertThat(sso.events(AuditEventType.AUTHN_LOGIN_FAIL))
        .filteredOn(e -> e.reason().orElse("").contains("busy"))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
          assertThat(e.reason())
              .contains("SSO callback: OpenID provider busy: 16 requests already waiting on it");
        });
    assertThat(turnedAway.body()).doesNotContain("OpenID").doesNotContain("provider");
  }

  /**
   * Starts {@code count} SSO logins, each in its own browser, and follows their callbacks at once; returns once the
   * provider's token endpoint holds every one of them.
   */
  private List<Future<HttpResponse<String>>> holdCallbacks(int count) throws Exception {
    List<Future<HttpResponse<String>>> waiting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Browser b = sso.browser();
      String callback = sso.callbackFrom(sso.authorizeUrl(b.startSsoLogin()));
      waiting.add(browsers.submit(() -> b.get(callback)));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
    while (tokenEndpoint.requests() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(tokenEndpoint.requests())
        .as("token requests held by the provider")
        .isEqualTo(count);
    return waiting;
  }
}
