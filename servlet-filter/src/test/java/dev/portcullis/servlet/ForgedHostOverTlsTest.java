package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.portal.LoginPage;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.internal.JettyErrorPages;
import dev.portcullis.testing.ForgedHostOverTls;
import dev.portcullis.testing.TestTls;
import dev.portcullis.transport.TransportConfig;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Over TLS on Jetty 12, requests whose SNI name and {@code Host} header disagree ({@link ForgedHostOverTls}): with
 * Jetty's SNI host check on (its default) and off, as a deployer behind a proxy that connects by address turns it,
 * nothing the filter or the application answers (the login redirect, the login page and its cookie, the login and its
 * cookies, the application's own redirect, an error) names the host or port the client chose or scopes a cookie to
 * it. With the check on, Jetty refuses a {@code Host} the certificate does not name with a {@code 400} of its own,
 * whatever the SNI name; an SNI name the certificate does not carry, with a {@code Host} it does, is served. Jetty's
 * own error pages, which quote the request's URI and so its host, are replaced as the README's container note says.
 */
class ForgedHostOverTlsTest {
  private static final Pattern TOKEN = Pattern.compile("name=_csrf value=\"([^\"]+)\"");

  @TempDir
  Path dir;

  private Server server;
  private Portcullis portcullis;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
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
    int port = start(tls, sniHostCheck);

    ForgedHostOverTls.Outcome outcome = ForgedHostOverTls.probe(
        tls.client(),
        port,
        ForgedHostOverTls.CANONICAL,
        List.of("/reports/7", "/go", "/missing"),
        "/login",
        "/login",
        TOKEN,
        Map.of("username", "alice", "password", "alice-pw", "acceptTerms", "yes"),
        List.of("/go", "/reports/7"));

    outcome.assertNothingReflected("Jetty, sniHostCheck=" + sniHostCheck);
    if (sniHostCheck) {
      assertThat(outcome.forgedHost()).containsEntry("GET /login", 400);
    } else {
      assertThat(outcome.forgedHost())
          .containsEntry("GET /reports/7", 303)
          .containsEntry("GET /go", 302)
          .containsEntry("GET /login", 200)
          .containsEntry("POST /login", 303)
          .containsEntry("GET /reports/7 logged in", 200);
    }
    assertThat(outcome.forgedSni()).containsEntry("POST /login", 303);
  }

  private int start(TestTls tls, boolean sniHostCheck) throws Exception {
    SecureRandom random = new SecureRandom();
    TransportConfig transport =
        TransportConfig.builder().canonicalHost(ForgedHostOverTls.CANONICAL).build();
    portcullis = Portcullis.builder()
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build())
        .users(LoginPortal.alice())
        .termsVersion(LoginPortal.TERMS)
        .transport(transport)
        .requirePublic("/go", "/missing")
        .build();
    server = new Server();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(tls.keyStore().toString());
    ssl.setKeyStoreType("PKCS12");
    ssl.setKeyStorePassword(TestTls.PASSWORD);
    HttpConfiguration https = new HttpConfiguration();
    https.setHeaderCacheCaseSensitive(true);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(sniHostCheck);
    https.addCustomizer(secure);
    ServerConnector connector = new ServerConnector(
        server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new LoginPage()), "/login");
    context.addServlet(new ServletHolder(new Pages()), "/*");
    portcullis.register(context.getServletContext());
    server.setHandler(context);
    // Jetty's own error pages quote the request's URI, its host included: replaced for both the
    // server and the context, as the README's container note says.
    JettyErrorPages.install(server, transport);
    context.setErrorHandler(server.getErrorHandler());
    server.start();
    return connector.getLocalPort();
  }

  /** {@code /go} redirects to a page of this site, {@code /missing} is not found, the rest says who asks. */
  private static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      switch (req.getRequestURI()) {
        case "/go" -> resp.sendRedirect("/reports/7");
        case "/missing" -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        default -> resp.getWriter().print(req.getUserPrincipal() + " on " + req.getRequestURI());
      }
    }
  }
}
