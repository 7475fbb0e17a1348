package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.testing.TestKeyRings;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * One deployment of a small WAR-style application on a real Jetty over loopback HTTP (development mode): Portcullis
 * installed by {@link PortcullisInitializer} from the settings given as environment variables, the application's
 * user directory (alice, who accepted the current terms) from a listener, and pages that render the CSRF token.
 */
final class WarNode implements AutoCloseable {
  static final String TERMS = "2026-01";
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private final Server server = new Server();
  private final ServletContextHandler context = new ServletContextHandler();
  private final ServerConnector connector = new ServerConnector(server);

  private WarNode(
      Map<String, String> environment,
      ClassLoader loader,
      Map<String, Object> attributes,
      InstantSource clock,
      int port) {
    this(environment, loader, attributes, clock, port, Map.of(), Set.of());
  }

  private WarNode(
      Map<String, String> environment,
      ClassLoader loader,
      Map<String, Object> attributes,
      InstantSource clock,
      int port,
      Map<String, String> initParameters,
      Set<String> systemProperties) {
    if (loader != null) {
      context.setClassLoader(loader);
    }
    connector.setHost("127.0.0.1"); // development mode lets plain HTTP through from loopback only
    connector.setPort(port);
    server.addConnector(connector);
    context.setContextPath("/");
    initParameters.forEach(context::setInitParameter);
    context.addServletContainerInitializer(
        new PortcullisInitializer(null, environment, systemProperties, clock));
    context.addEventListener(new ProvidesUsers(attributes));
    context.addServlet(new ServletHolder(new Page()), "/*");
    server.setHandler(context);
  }

  /** A key file shared by the nodes of one test, in {@code dir}. */
  static Path keyFile(Path dir) throws IOException {
    Path keys = dir.resolve("keys.txt");
    if (!Files.exists(keys)) {
      KeyRingSources.createFile(TestKeyRings.current(), keys);
    }
    return keys;
  }

  /** The environment every node needs (key ring, terms, development mode), plus {@code settings}. */
  static Map<String, String> environment(Path dir, Map<String, String> settings)
      throws IOException {
    Map<String, String> environment = new HashMap<>(settings);
    environment.put(KeyRingSources.ENV_VARIABLE, Files.readString(keyFile(dir)));
    environment.put("PORTCULLIS_LOGIN_TERMS_VERSION", TERMS);
    environment.put("PORTCULLIS_TRANSPORT_DEVELOPMENT_MODE", "true");
    environment.put("PORTCULLIS_ACCESS_PUBLIC_PATHS", "/login,/terms,/whoami");
    return environment;
  }

  /** Deploys and starts; the container's start failure (a refused deployment) is thrown as is. */
  static WarNode start(Map<String, String> environment) throws Exception {
    return start(environment, null);
  }

  /** Deploys with {@code loader} as the web application's class loader. */
  static WarNode start(Map<String, String> environment, ClassLoader loader) throws Exception {
    return start(environment, loader, Map.of());
  }

  /**
   * Deploys with {@code loader} (null: Jetty's) as the web application's class loader, and {@code attributes} put in
   * the context by the application's listener.
   */
  static WarNode start(
      Map<String, String> environment, ClassLoader loader, Map<String, Object> attributes)
      throws Exception {
    return start(new WarNode(
        environment,
        loader,
        attributes,
        InstantSource.fixed(Instant.parse("2026-12-01T00:00:00Z")),
        0));
  }

  /**
   * Deploys on {@code port} (0: any free one) with {@code clock} as Portcullis's clock, for settings that must name
   * the application's address before it starts (single sign-on's redirect URI).
   */
  static WarNode start(
      Map<String, String> environment,
      Map<String, Object> attributes,
      InstantSource clock,
      int port)
      throws Exception {
    return start(new WarNode(environment, null, attributes, clock, port));
  }

  /**
   * Deploys with the servlet context parameters {@code initParameters} (a {@code web.xml}'s {@code <context-param>}s)
   * in a JVM whose system properties are named {@code systemProperties}.
   */
  static WarNode start(
      Map<String, String> environment,
      Map<String, String> initParameters,
      Set<String> systemProperties)
      throws Exception {
    return start(new WarNode(
        environment,
        null,
        Map.of(),
        InstantSource.fixed(Instant.parse("2026-12-01T00:00:00Z")),
        0,
        initParameters,
        systemProperties));
  }

  private static WarNode start(WarNode node) throws Exception {
    try {
      node.server.start();
    } catch (Exception | Error e) {
      node.server.stop();
      throw e;
    }
    return node;
  }

  String base() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  /** The login the deployed filter was built with, from the filter the container started. */
  PortalLogin login() throws Exception {
    return ((StartingFilter) context
            .getServletHandler()
            .getFilter(PortcullisInitializer.FILTER_NAME)
            .getFilter())
        .login();
  }

  /** Stops the application's context, as undeploying the WAR does, keeping the server. */
  void undeploy() throws Exception {
    context.stop();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /** Logs alice in with the form; the response to the form's post. */
  static HttpResponse<String> logIn(TestBrowser browser) throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "alice");
    form.put("password", "alice-pw");
    form.put("acceptTerms", "yes");
    form.put("_csrf", csrf(browser));
    return browser.post("/login", form);
  }

  /** Logs out with the form. */
  static HttpResponse<String> logOut(TestBrowser browser) throws Exception {
    return browser.post("/logout", Map.of("_csrf", csrf(browser)));
  }

  /** The user the application sees, or {@code anonymous}. */
  static String whoami(TestBrowser browser) throws Exception {
    String body = browser.get("/whoami").body();
    return body.substring(0, body.indexOf(' '));
  }

  /**
   * Two deployments behind an imagined load balancer that sends a browser's requests to either: a login on {@code a}
   * is seen by {@code b}, and a logout on {@code b} ends it on {@code a}.
   */
  static void assertLoginAndLogoutShared(WarNode a, WarNode b) throws Exception {
    TestBrowser onA = new TestBrowser(a.base());
    assertThat(logIn(onA).statusCode()).isEqualTo(303);
    assertThat(whoami(onA)).isEqualTo("u-alice");
    Map<String, String> beforeLogout = new LinkedHashMap<>(onA.cookies());

    TestBrowser onB = onA.on(b.base());
    assertThat(whoami(onB))
        .as("the other node reads the session and the ticket")
        .isEqualTo("u-alice");
    assertThat(onB.get("/reports/42").body()).startsWith("u-alice ");

    assertThat(logOut(onB).statusCode()).isEqualTo(303);
    TestBrowser replay = new TestBrowser(a.base());
    replay.cookies().putAll(beforeLogout);
    assertThat(whoami(replay))
        .as("the first node, given the cookies from before the logout on the other")
        .isEqualTo("anonymous");
    assertThat(replay.get("/reports/42").statusCode()).isNotEqualTo(200);
  }

  private static String csrf(TestBrowser browser) throws Exception {
    return TestBrowser.csrfToken(CSRF, browser.get("/login").body()).orElseThrow();
  }

  /** The application's listener: its user directory, and the other {@code attributes} it provides. */
  static final class ProvidesUsers implements ServletContextListener {
    private final Map<String, Object> attributes;

    ProvidesUsers(Map<String, Object> attributes) {
      this.attributes = Map.copyOf(attributes);
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
      attributes.forEach(event.getServletContext()::setAttribute);
      event
          .getServletContext()
          .setAttribute(
              PortcullisInitializer.USER_DIRECTORY_ATTRIBUTE,
              new InMemoryUserDirectory(PasswordHasher.forTests())
                  .add(
                      "alice",
                      "alice-pw".toCharArray(),
                      new PortalUser(
                          "u-alice",
                          "Alice Adams",
                          "alice@riverside.example",
                          Set.of("PROVIDER"),
                          "riverside",
                          true,
                          TERMS)));
    }
  }

  /** Every page: who is asking, and the CSRF token for the forms. */
  static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String user = request.getRemoteUser();
      response
          .getWriter()
          .print((user == null ? "anonymous" : user) + " csrf="
              + request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE));
    }
  }
}
