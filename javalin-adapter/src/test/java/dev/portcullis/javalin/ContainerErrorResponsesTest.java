package dev.portcullis.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import io.javalin.Javalin;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Javalin's Jetty answers, with the plugin, to requests it refuses before any filter or route runs, over a raw
 * socket: the security headers of every other response, {@code Cache-Control: no-store}, no {@code Server} header,
 * and a body that names neither the server nor anything of the request.
 */
class ContainerErrorResponsesTest {
  private Portcullis portcullis;
  private Javalin app;

  @BeforeEach
  void start() {
    SecureRandom random = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(new InMemoryUserDirectory(PasswordHasher.forTests()))
        .termsVersion("2026-01")
        .random(random)
        .transport(TransportConfig.builder().developmentMode(true).build())
        .build();
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.routes.get("/login", ctx -> ctx.result("login page"));
    });
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
    portcullis.close();
  }

  /**
   * Regression: Jetty's own error page answered these, with none of the security headers, in an HTML body that
   * repeats Jetty's reason for the refusal and, for a path it refuses, the request's URI.
   */
  @Test
  void requestsJettyRefuses_getThePlainErrorResponse_withTheSecurityHeaders() throws Exception {
    RawHttp.assertEachRefusedRequestGetsThePlainErrorResponse(app.port());
  }

  @Test
  void aServedPage_namesNoServerEither() throws Exception {
    RawHttp.Response login = RawHttp.send(
        app.port(), "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.header("Server")).isNull();
    assertThat(login.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }
}
