package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The initializer in a real Jetty servlet context, over HTTP on loopback (development mode). */
class PortcullisInitializerTest {
  @TempDir
  Path dir;

  private Map<String, String> environment(Path audit) throws Exception {
    Path keys = dir.resolve("keys.txt");
    KeyRingSources.createFile(
        KeyRing.builder()
            .add(
                0x0a1b2c3d,
                KeyStatus.ACTIVE,
                Instant.parse("2026-11-01T00:00:00Z"),
                KeyMaterial.generate(new SecureRandom()))
            .build(),
        keys);
    return Map.of(
        KeyRingSources.ENV_VARIABLE,
        Files.readString(keys),
        "PORTCULLIS_LOGIN_TERMS_VERSION",
        "2026-01",
        "PORTCULLIS_TRANSPORT_DEVELOPMENT_MODE",
        "true",
        "PORTCULLIS_AUDIT_SINK",
        "json-lines",
        "PORTCULLIS_AUDIT_FILE",
        audit.toString());
  }

  /** The application's listener puts its user directory in the context, as the initializer's javadoc says. */
  static final class ProvidesUsers implements ServletContextListener {
    @Override
    public void contextInitialized(ServletContextEvent event) {
      event
          .getServletContext()
          .setAttribute(
              PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE,
              new InMemoryUserDirectory(PasswordHasher.standard(new SecureRandom())));
    }
  }

  static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.getWriter().print("secret page");
    }
  }

  @Test
  void userDirectoryFromTheContext_protectsEveryPath_andStoppingFreesTheAuditFile()
      throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    ServerConnector[] connector = new ServerConnector[1];
    Server server = deployment(environment(audit), connector);
    ServletContextHandler context = (ServletContextHandler) server.getHandler();
    server.start();
    try {
      HttpResponse<String> response = HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + connector[0].getLocalPort() + "/secret"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(303);
      assertThat(response.headers().firstValue("Location")).contains("/login?returnTo=%2Fsecret");
      assertThat(response.body()).doesNotContain("secret page");
      context.stop();
      AuditSink.jsonLines(audit).close(); // the stopped context let go of the file
    } finally {
      server.stop();
    }
  }

  /** A server on loopback with {@link Page} at every path under the initializer and {@code environment}. */
  private static Server deployment(Map<String, String> environment, ServerConnector[] connector) {
    PortcullisInitializer initializer = new PortcullisInitializer(
        null, environment, InstantSource.fixed(Instant.parse("2026-12-01T00:00:00Z")));
    Server server = new Server();
    connector[0] = new ServerConnector(server);
    connector[0].setHost(
        "127.0.0.1"); // development mode lets plain HTTP through from loopback only
    server.addConnector(connector[0]);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServletContainerInitializer(initializer);
    context.addEventListener(new ProvidesUsers());
    context.addServlet(new ServletHolder(new Page()), "/*");
    server.setHandler(context);
    return server;
  }

  /**
   * Starts the page under {@code environment}'s settings, which must be refused: the start's failure. Should it start,
   * {@code request} (a path and its headers, described by {@code as}) must not be served the page.
   */
  private Throwable refusedStart(
      Map<String, String> settings, String path, Map<String, String> headers, String as)
      throws Exception {
    Map<String, String> environment =
        new java.util.HashMap<>(environment(dir.resolve("audit.jsonl")));
    environment.putAll(settings);
    ServerConnector[] connector = new ServerConnector[1];
    Server server = deployment(environment, connector);
    try {
      Throwable failure = org.assertj.core.api.Assertions.catchThrowable(server::start);
      if (failure == null) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + connector[0].getLocalPort() + path));
        headers.forEach(request::header);
        HttpResponse<String> response =
            HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode() + " " + response.body())
            .as(as)
            .isNotEqualTo("200 secret page");
      }
      return failure;
    } finally {
      server.stop();
    }
  }

  /**
   * Regression: the public paths are declared ahead of the role rules, so a rule under a public subtree was never
   * reached and its pages were served to anyone; the deployment now fails, naming both patterns.
   */
  @Test
  void aRoleRuleUnderAPublicPath_failsTheStart_namingBothPatterns() throws Exception {
    Throwable failure = refusedStart(
        Map.of(
            "PORTCULLIS_ACCESS_PUBLIC_PATHS", "/login,/terms,/docs/**",
            "PORTCULLIS_ACCESS_RULES_0_PATTERN", "/docs/internal/**",
            "PORTCULLIS_ACCESS_RULES_0_ROLES", "ADMIN"),
        "/docs/internal/x",
        Map.of(),
        "an anonymous GET of /docs/internal/x");
    assertThat(failure)
        .hasMessageContaining("portcullis.access")
        .hasMessageContaining("'/docs/internal/**' of requireAnyRole(...) is never reached")
        .hasMessageContaining("'/docs/**'");
  }

  /**
   * Regression: {@code portcullis.transport.trusted-proxies=0.0.0.0/0} made every client a trusted proxy, so a plain
   * HTTP request that said {@code X-Forwarded-Proto: https} was served outside development mode; the deployment now
   * fails, naming the entry.
   */
  @Test
  void everyAddressAsATrustedProxy_failsTheStart_namingTheEntry() throws Exception {
    Throwable failure = refusedStart(
        Map.of(
            "PORTCULLIS_TRANSPORT_DEVELOPMENT_MODE", "false",
            "PORTCULLIS_TRANSPORT_CANONICAL_HOST", "portal.example",
            "PORTCULLIS_TRANSPORT_TRUSTED_PROXIES", "0.0.0.0/0"),
        "/login",
        Map.of("X-Forwarded-Proto", "https"),
        "a plain-HTTP GET of /login that says X-Forwarded-Proto: https");
    assertThat(failure)
        .hasMessageContaining("portcullis.transport")
        .hasMessageContaining("trusted proxy '0.0.0.0/0' is every address");
  }

  /**
   * Regression: only every address ({@code /0}) was refused, so two halves of the IPv4 space made every client a
   * trusted proxy all the same, and a plain HTTP request that said {@code X-Forwarded-Proto: https} was served outside
   * development mode; the deployment now fails, naming the widest entry.
   */
  @Test
  void trustedProxiesCoveringMuchPublicSpace_failTheStart_namingTheWidestEntry() throws Exception {
    Throwable failure = refusedStart(
        Map.of(
            "PORTCULLIS_TRANSPORT_DEVELOPMENT_MODE", "false",
            "PORTCULLIS_TRANSPORT_CANONICAL_HOST", "portal.example",
            "PORTCULLIS_TRANSPORT_TRUSTED_PROXIES", "0.0.0.0/1,128.0.0.0/1"),
        "/login",
        Map.of("X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.7"),
        "a plain-HTTP GET of /login that says X-Forwarded-Proto: https");
    assertThat(failure)
        .hasMessageContaining("portcullis.transport")
        .hasMessageContaining("trusted proxies hold more public IPv4 space than a /11")
        .hasMessageContaining("the widest entry is '128.0.0.0/1'");
  }

  @Test
  void noUserDirectory_failsTheStart_withWhatToDo() throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    PortcullisInitializer initializer = new PortcullisInitializer(
        null, environment(audit), InstantSource.fixed(Instant.parse("2026-12-01T00:00:00Z")));
    Server server = new Server();
    ServletContextHandler context = new ServletContextHandler();
    context.addServletContainerInitializer(initializer);
    context.addServlet(new ServletHolder(new Page()), "/*");
    server.setHandler(context);
    try {
      Throwable failure = org.assertj.core.api.Assertions.catchThrowable(server::start);
      assertThat(failure)
          .hasMessageContaining("there is no user directory")
          .hasMessageContaining(PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE);
      AuditSink.jsonLines(audit).close(); // nothing was left open by the failed start
    } finally {
      server.stop();
    }
  }
}
