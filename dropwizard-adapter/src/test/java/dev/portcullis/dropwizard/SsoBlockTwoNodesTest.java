package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.redis.RedisServer;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes with the same {@code portcullis.sso} and {@code portcullis.redis} blocks on one real redis-server: the
 * block keeps account links and redeemed tokens in Redis (with in-memory ones beside the shared sessions the start
 * would stop), so an identity linked through one node logs in through the other.
 */
class SsoBlockTwoNodesTest {
  private static RedisServer redis;
  private static LoopbackOpenIdProvider provider;
  private static final List<DropwizardTestSupport<PortalApp.Config>> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    redis = RedisServer.start();
    provider = new LoopbackOpenIdProvider();
    String prefix = "dw-sso-" + UUID.randomUUID() + ":";
    for (int i = 0; i < 2; i++) {
      nodes.add(SsoBlockTest.ssoApp(
          provider.issuer,
          ConfigOverride.config("portcullis.redis.uri", redis.uri()),
          ConfigOverride.config("portcullis.redis.key-prefix", prefix),
          // A first connection from a JVM that has not used Lettuce yet, on a loaded machine, can
          // take longer than
          // the default connect timeout (2 s); what is under test is where the stores are, not how
          // fast.
          ConfigOverride.config("portcullis.redis.command-timeout", "10s")));
    }
  }

  /** Stops the nodes in the reverse order of their start, each restoring the system properties it replaced. */
  @AfterAll
  static void stop() throws Exception {
    try {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).after();
      }
    } finally {
      if (provider != null) {
        provider.close();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static String base(int node) {
    return "http://127.0.0.1:" + nodes.get(node).getLocalPort();
  }

  @Test
  void anIdentityLinkedThroughOneNode_logsInThroughTheOther() throws Exception {
    TestBrowser onA = new TestBrowser(base(0));
    assertThat(SsoBlockTest.logIn(onA, "alice").statusCode()).isEqualTo(303);
    HttpResponse<String> upgrade =
        onA.post("/sso/upgrade", Map.of("_csrf", SsoBlockTest.pageCsrf(onA)));
    String callback = provider.callbackFrom(provider.authorizeUrl(upgrade), "sub-alice", base(0));
    assertThat(onA.get(callback).statusCode()).isEqualTo(303);
    String formCsrf = TestBrowser.csrfToken(
            SsoBlockTest.FORM_CSRF, onA.get("/sso/link").body())
        .orElseThrow();
    assertThat(onA.post("/sso/link", Map.of("_csrf", formCsrf, "decision", "confirm"))
            .statusCode())
        .isEqualTo(303);

    TestBrowser onB = new TestBrowser(base(1));
    String loginCsrf =
        TestBrowser.csrfToken(SsoBlockTest.FORM_CSRF, onB.get("/login").body()).orElseThrow();
    HttpResponse<String> ssoLogin = onB.post("/sso/login", Map.of("_csrf", loginCsrf));
    String back = provider.callbackFrom(provider.authorizeUrl(ssoLogin), "sub-alice", base(1));
    assertThat(onB.get(back).statusCode()).isEqualTo(303);
    assertThat(SsoBlockTest.whoami(onB))
        .as("node B found the link node A made, in Redis")
        .isEqualTo("u-alice");
  }
}
