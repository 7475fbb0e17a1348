package dev.portcullis.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.testing.ForgedHostOverTls;
import dev.portcullis.testing.TestTls;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plugin behind an HTTPS connector the application gives Javalin's Jetty ({@code config.jetty.addConnector}), and
 * requests whose SNI name and {@code Host} header disagree ({@link ForgedHostOverTls}), with Jetty's SNI host check on
 * (its default) and off: nothing Portcullis, Javalin or Jetty answers (the login redirect, the login page and its
 * cookie, the login and its cookies, a handler's {@code ctx.redirect}, Javalin's not-found answer) names the host or
 * port the client chose or scopes a cookie to it.
 */
class ForgedHostOverTlsTest {
  private static final Pattern TOKEN = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  @TempDir
  Path dir;

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

  @ParameterizedTest(name = "sniHostCheck={0}")
  @ValueSource(booleans = {true, false})
  void aHostTheClientChose_isNamedByNoResponse_andScopesNoCookie(boolean sniHostCheck)
      throws Exception {
    TestTls tls = TestTls.make(dir, ForgedHostOverTls.CANONICAL);
    SecureRandom random = new SecureRandom();
    portcullis = Portcullis.builder()
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests())
            .add(
                "alice",
                "alice-pw".toCharArray(),
                new PortalUser(
                    "u-alice",
                    "Alice",
                    "alice@example.org",
                    Set.of("STAFF"),
                    "org",
                    true,
                    "2026-01")))
        .termsVersion("2026-01")
        .random(random)
        .transport(
            TransportConfig.builder().canonicalHost(ForgedHostOverTls.CANONICAL).build())
        .build();
    ServerConnector[] https = new ServerConnector[1];
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.registerPlugin(new PortcullisPlugin(portcullis));
      config.jetty.addConnector((server, http) -> {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keyStore().toString());
        ssl.setKeyStoreType("PKCS12");
        ssl.setKeyStorePassword(TestTls.PASSWORD);
        HttpConfiguration secure = new HttpConfiguration(http);
        SecureRequestCustomizer customizer = new SecureRequestCustomizer();
        customizer.setSniHostCheck(sniHostCheck);
        secure.addCustomizer(customizer);
        https[0] = new ServerConnector(
            server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(secure));
        https[0].setHost("127.0.0.1");
        https[0].setPort(0);
        return https[0];
      });
      config.routes.get(
          "/login", ctx -> ctx.result("login page csrf=" + PortcullisPlugin.csrfToken(ctx)));
      config.routes.get(
          "/whoami",
          ctx -> ctx.result(
              PortcullisPlugin.principal(ctx).map(p -> p.getName()).orElse("anonymous")));
      config.routes.get("/go", ctx -> ctx.redirect("/whoami"));
    });
    app.start("127.0.0.1", 0);

    ForgedHostOverTls.Outcome outcome = ForgedHostOverTls.probe(
        tls.client(),
        https[0].getLocalPort(),
        ForgedHostOverTls.CANONICAL,
        List.of("/whoami", "/nowhere"),
        "/login",
        "/login",
        TOKEN,
        Map.of("username", "alice", "password", "alice-pw"),
        List.of("/whoami", "/go", "/nowhere"));

    outcome.assertNothingReflected("Javalin, sniHostCheck=" + sniHostCheck);
    if (sniHostCheck) {
      assertThat(outcome.forgedHost()).containsEntry("GET /login", 400);
    } else {
      assertThat(outcome.forgedHost())
          .containsEntry("GET /whoami", 303)
          .containsEntry("POST /login", 303)
          .containsEntry("GET /whoami logged in", 200)
          .containsEntry("GET /go logged in", 302);
    }
    assertThat(outcome.forgedSni()).containsEntry("GET /whoami logged in", 200);
  }
}
