package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A token endpoint that drips its answer one byte at a time, over real HTTP: the filter on Jetty, mock-oauth2-server
 * as the provider, whose discovery document names a {@link DrippingTokenEndpoint} as the token endpoint. Regression: the
 * provider timeout applied to each socket read, so an answer that never paused as long as the timeout held the
 * user's request thread for as long as the provider liked. The bound is {@code SsoConfig.providerTimeout()}: 5 seconds
 * unless configured.
 */
class SsoSlowProviderTest {
  /** The filter's timeout for one exchange with the provider ({@code SsoConfig.providerTimeout()}'s default). */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** A shorter timeout, configured. */
  private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);

  private DrippingTokenEndpoint tokenEndpoint;
  private SsoPortal sso;

  @BeforeEach
  void start() throws Exception {
    // A quarter of a second a byte: every read is answered well within the timeout, the whole
    // answer takes several times as long.
    tokenEndpoint = new DrippingTokenEndpoint(Duration.ofMillis(250));
    assertThat(tokenEndpoint.wholeAnswer()).isGreaterThan(TIMEOUT.multipliedBy(4));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (sso != null) {
        sso.close();
      }
    } finally {
      tokenEndpoint.close();
    }
  }

  @Test
  void tokenEndpointDrippingItsAnswer_failsTheLinkWithinTheTimeout() throws Exception {
    sso = new SsoPortal(tokenEndpoint.discovery());
    Browser alice = sso.browser();
    assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);

    Duration took = linkThroughTheSlowTokenEndpoint(alice);

    // Generous margins for a loaded machine: the point is "about the timeout", not "the
    // whole drip".
    assertThat(took)
        .as("the whole exchange is bounded, by the default timeout")
        .isGreaterThan(TIMEOUT.minusMillis(100))
        .isLessThan(TIMEOUT.multipliedBy(3));
  }

  @Test
  void configuredProviderTimeout_isTheOneTheTokenRequestGets() throws Exception {
    sso = new SsoPortal(b -> b.providerTimeout(SHORT_TIMEOUT), tokenEndpoint.discovery());
    Browser alice = sso.browser();
    assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);

    Duration took = linkThroughTheSlowTokenEndpoint(alice);

    // Below the 5-second default with room for a loaded machine, and not below what was configured.
    assertThat(took)
        .as("the configured timeout, not the default")
        .isGreaterThan(SHORT_TIMEOUT.minusMillis(100))
        .isLessThan(SHORT_TIMEOUT.multipliedBy(3));
  }

  /**
   * Alice links her account; the provider's token endpoint drips. Checks that the link failed as a provider failure
   * and returns how long the callback took.
   */
  private Duration linkThroughTheSlowTokenEndpoint(Browser alice) throws Exception {
    sso.providerSignsIn("sub-alice");
    String callback = sso.callbackFrom(sso.authorizeUrl(sso.upgrade(alice)));

    long start = System.nanoTime();
    HttpResponse<String> r = alice.get(callback);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(tokenEndpoint.requests())
        .as("the token request reached the slow endpoint")
        .isOne();
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body().strip()).isEqualTo(SsoStage.SSO_FAILED);
    AuditEvent failed = sso.portal.flushedSink().assertOnce(AuditEventType.SSO_LINK);
    assertThat(failed.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(failed.actor()).map(AuditEvent.Actor::userHandle).contains("u-alice");
    assertThat(failed.reason()).contains("provider unreachable or failing: HttpTimeoutException");
    assertThat(sso.links.isLinked("u-alice")).isFalse();
    assertThat(alice.whoami()).isEqualTo("u-alice");
    return took;
  }
}
