package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.servlet.testing.HangingTokenEndpointProvider;
import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.testing.TestBrowser;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis.sso.max-concurrent-provider-calls} of a WAR, on a real Jetty, with a provider on loopback whose
 * token endpoint hangs: at 1, from the settings file, a second login's callback while the first waits on the provider
 * is answered {@code 503} at once without a token request. Out of range or not a number, it fails the deployment
 * naming the setting. Regression: the setting did not exist, and as a {@code portcullis.*} name unknown to the
 * initializer it failed every deployment that gave it, so the bound was 16 whatever the deployer needed.
 */
class SsoProviderCallsBoundDeploymentTest {
  private static final Pattern PAGE_CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private HangingTokenEndpointProvider provider;
  private final ExecutorService browsers = Executors.newCachedThreadPool();

  @TempDir
  Path dir;

  @BeforeEach
  void startProvider() throws Exception {
    provider = new HangingTokenEndpointProvider();
  }

  @AfterEach
  void stopProvider() throws Exception {
    // The held token request fails first, so that the node's request thread is free to stop.
    provider.close();
    browsers.shutdownNow();
  }

  /** The environment of a node on {@code port} whose single sign-on uses the hanging provider, plus {@code more}. */
  private Map<String, String> environment(int port, Map<String, String> more) throws Exception {
    Map<String, String> settings = new HashMap<>(more);
    settings.put("PORTCULLIS_SSO_ISSUER", provider.issuer());
    settings.put("PORTCULLIS_SSO_CLIENT_ID", "portal");
    settings.put("PORTCULLIS_SSO_CLIENT_SECRET", "war-client-secret-from-the-environment-42");
    settings.put("PORTCULLIS_SSO_REDIRECT_URI", "http://127.0.0.1:" + port + "/sso/callback");
    settings.put("PORTCULLIS_SSO_PROVIDER_TIMEOUT", "60s");
    return WarNode.environment(dir, settings);
  }

  @Test
  void withTheBoundAtOne_aSecondCallbackWhileTheProviderHangs_isTurnedAwayWithoutAskingIt()
      throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path file = dir.resolve("portcullis.properties");
    Files.writeString(file, "portcullis.sso.max-concurrent-provider-calls=1\n");
    Map<String, String> environment =
        environment(port, Map.of("PORTCULLIS_CONFIG", file.toString()));

    String logged = CapturedStderr.during(() -> {
      try (WarNode node = WarNode.start(environment, Map.of(), InstantSource.system(), port)) {
        TestBrowser first = new TestBrowser(node.base());
        String firstCallback = HangingTokenEndpointProvider.callbackOfANewLogin(first, PAGE_CSRF);
        browsers.submit(() -> first.get(firstCallback));
        assertThat(provider.awaitTokenRequests(1))
            .as("the first callback's token request")
            .isTrue();

        TestBrowser second = new TestBrowser(node.base());
        HttpResponse<String> turnedAway =
            second.get(HangingTokenEndpointProvider.callbackOfANewLogin(second, PAGE_CSRF));

        assertThat(turnedAway.statusCode()).as(turnedAway.body()).isEqualTo(503);
        assertThat(provider.tokenRequests())
            .as("the second callback never reached the provider")
            .isEqualTo(1);
      }
    });

    assertThat(logged)
        .as("the audit log (slf4j) records the callback turned away")
        .contains("SSO callback: OpenID provider busy: 1 requests already waiting on it");
  }

  @Test
  void outOfRangeOrNotANumber_failsTheDeployment_namingTheSetting() throws Exception {
    for (String calls : new String[] {"0", "-3", "1025"}) {
      Throwable failure = catchThrowable(() -> WarNode.start(
          environment(8080, Map.of("PORTCULLIS_SSO_MAX_CONCURRENT_PROVIDER_CALLS", calls))));

      assertThat(failure)
          .as(calls)
          .hasMessageContaining("(1 mistake)")
          .hasMessageContaining("portcullis.sso.max-concurrent-provider-calls (environment variable"
              + " PORTCULLIS_SSO_MAX_CONCURRENT_PROVIDER_CALLS) is not valid: expected a whole number"
              + " from 1 to 1024");
    }
    Throwable failure = catchThrowable(() -> WarNode.start(
        environment(8080, Map.of("PORTCULLIS_SSO_MAX_CONCURRENT_PROVIDER_CALLS", "many"))));

    assertThat(failure)
        .hasMessageContaining("(1 mistake)")
        .hasMessageContaining(
            "portcullis.sso.max-concurrent-provider-calls (environment variable"
                + " PORTCULLIS_SSO_MAX_CONCURRENT_PROVIDER_CALLS) is not valid: expected a whole number");
  }
}
