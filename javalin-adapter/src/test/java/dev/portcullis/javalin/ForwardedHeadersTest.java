package dev.portcullis.javalin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Jetty's {@link ForwardedRequestCustomizer} on Javalin's connector takes the client's scheme from {@code
 * X-Forwarded-Proto} and its address from {@code X-Forwarded-For}, which any client can send. Javalin does not start
 * unless the Portcullis transport says whether the container's view of HTTPS is believed, and beside trusted proxies
 * or development mode whatever it says; once it says, a client on the plain-HTTP connector claiming HTTPS is plain
 * HTTP unless it is {@code true}. Driven through the real plugin on Javalin's Jetty.
 */
class ForwardedHeadersTest {
  private final SecureRandom random = new SecureRandom();
  private final HttpClient http = HttpClient.newHttpClient();
  private RecordingAuditSink sink;
  private Portcullis portcullis;
  private Javalin app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
    if (portcullis != null) {
      portcullis.close();
    }
  }

  /** A portal with a public page, on a Javalin whose connector forwards headers when asked to; not started. */
  private Javalin portal(boolean forwarding, UnaryOperator<TransportConfig.Builder> transport) {
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(new InMemoryUserDirectory(PasswordHasher.forTests()))
        .termsVersion("2026-01")
        .random(random)
        .transport(transport.apply(TransportConfig.builder()).build())
        .requirePublic("/page")
        .auditSink(sink = new RecordingAuditSink())
        .build();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      if (forwarding) {
        config.jetty.modifyHttpConfiguration(
            h -> h.addCustomizer(new ForwardedRequestCustomizer()));
      }
      config.routes.get("/page", ctx -> ctx.result("page secure=" + ctx.req().isSecure()));
    });
    return app;
  }

  private static TransportConfig.Builder redirecting(TransportConfig.Builder b) {
    return b.canonicalHost("portal.example");
  }

  private static Throwable startFailure(Javalin app) {
    Throwable failure = catchThrowable(() -> app.start("127.0.0.1", 0));
    assertThat(failure).as("the server must not start").isNotNull();
    while (failure.getCause() != null && !(failure instanceof IllegalStateException)) {
      failure = failure.getCause();
    }
    return failure;
  }

  /** A GET of {@code /page} over the plain-HTTP connector, claiming HTTPS when asked to. */
  private HttpResponse<String> getPage(boolean claimHttps) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/page"));
    if (claimHttps) {
      request.header("X-Forwarded-Proto", "https");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void forwardedRequestCustomizer_withoutContainerDecidesHttps_stopsTheStart_namingTheChoice() {
    Throwable failure = startFailure(portal(true, ForwardedHeadersTest::redirecting));
    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ForwardedRequestCustomizer")
        .hasMessageContaining("containerDecidesHttps(true)")
        .hasMessageContaining("trustedProxies");
    assertThat(sink.isClosed()).as("a refused start closes Portcullis").isTrue();
  }

  @Test
  void containerDecidesHttpsFalse_aClientClaimingHttps_isPlainHttp() throws Exception {
    portal(true, b -> redirecting(b).containerDecidesHttps(false)).start("127.0.0.1", 0);

    HttpResponse<String> claimed = getPage(true);
    assertThat(claimed.statusCode())
        .as("X-Forwarded-Proto from a client on the plain connector is not HTTPS")
        .isEqualTo(308);
    assertThat(claimed.headers().firstValue("Location")).hasValue("https://portal.example/page");
    assertThat(claimed.headers().firstValue("Strict-Transport-Security")).isEmpty();
    assertThat(claimed.body()).doesNotContain("page");
  }

  @Test
  void containerDecidesHttpsTrue_believesJettysForwardedScheme() throws Exception {
    portal(true, b -> redirecting(b).containerDecidesHttps(true)).start("127.0.0.1", 0);

    HttpResponse<String> forwarded = getPage(true);
    assertThat(forwarded.statusCode()).isEqualTo(200);
    assertThat(forwarded.body()).isEqualTo("page secure=true");
    assertThat(forwarded.headers().firstValue("Strict-Transport-Security")).isPresent();
    assertThat(getPage(false).statusCode())
        .as("without the header Jetty calls it plain")
        .isEqualTo(308);
  }

  @Test
  void withoutTheCustomizer_aClientClaimingHttps_isPlainHttp_andNothingNeedsSaying()
      throws Exception {
    portal(false, ForwardedHeadersTest::redirecting).start("127.0.0.1", 0);

    HttpResponse<String> claimed = getPage(true);
    assertThat(claimed.statusCode()).isEqualTo(308);
    assertThat(claimed.headers().firstValue("Strict-Transport-Security")).isEmpty();
  }

  @Test
  void forwardedRequestCustomizer_besideTrustedProxies_stopsTheStart_eitherWay() {
    for (boolean believed : new boolean[] {false, true}) {
      Throwable failure = startFailure(portal(
          true, b -> redirecting(b).containerDecidesHttps(believed).trustedProxies("127.0.0.1")));
      assertThat(failure)
          .as("containerDecidesHttps(%s)", believed)
          .hasMessageContaining("beside TransportConfig trustedProxies")
          .hasMessageContaining("pass for a listed proxy");
      app.stop();
    }
  }

  @Test
  void forwardedRequestCustomizer_inDevelopmentMode_stopsTheStart_eitherWay() {
    for (boolean believed : new boolean[] {false, true}) {
      Throwable failure =
          startFailure(portal(true, b -> b.developmentMode(true).containerDecidesHttps(believed)));
      assertThat(failure)
          .as("containerDecidesHttps(%s)", believed)
          .hasMessageContaining("in development mode")
          .hasMessageContaining("pass for loopback");
      app.stop();
    }
  }
}
