package dev.portcullis.examples.war;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.testing.TestTls;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.server.handlers.ProxyPeerAddressHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.net.ssl.SSLContext;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The example WAR on embedded Undertow 2.3 (Jakarta Servlet 6.0), through Undertow's servlet deployment API as an
 * application server built on it deploys a WAR: the archive unpacked, a class loader over {@code WEB-INF/classes} and
 * {@code WEB-INF/lib}, the servlets, mappings and error page of {@code web.xml}, and the {@code
 * ServletContainerInitializer}s the WAR's own jars declare. Undertow has no {@code web.xml} reader of its own; the
 * deployment's other settings stay at Undertow's defaults.
 */
class UndertowWarIT extends WarPortalScenario {
  @Override
  DeployedWar deploy(Path war, Path workDir) throws Exception {
    return UndertowWar.deploy(war, workDir, UnaryOperator.identity(), null, info -> {});
  }

  @Override
  DeployedWar deployOverTls(Path war, Path workDir, TestTls tls) throws Exception {
    return UndertowWar.deploy(war, workDir, UnaryOperator.identity(), tls.server(), info -> {});
  }

  /**
   * Undertow reads a percent sign that starts no escape as itself: the password does not match, and the login is
   * refused as any wrong password is.
   */
  @Override
  void assertMalformedLoginFormAnswer(HttpResponse<String> response) {
    assertEquals(303, response.statusCode());
    assertEquals("/login?error=1", response.headers().firstValue("Location").orElse(""));
  }

  /**
   * Undertow refuses a query string that does not decode while it reads the request, before any application: an empty
   * 400 that names no server and no reason (and has none of Portcullis' headers; see the README's Undertow notes).
   */
  @Override
  void assertMalformedQueryStringAnswer(String response) {
    assertTrue(response.contains("Content-Length: 0\r\n"), response);
    assertTrue(response.endsWith("\r\n\r\n"), "no body: " + response);
    assertFalse(response.toLowerCase(Locale.ROOT).contains("server:"), response);
    assertFalse(response.toLowerCase(Locale.ROOT).contains("undertow"), response);
  }

  /**
   * Regression: Undertow answers {@code getServletConnection().isSecure()} with the request's scheme, which its own
   * forwarded-header handling ({@code ProxyPeerAddressHandler}, an application server's proxy address forwarding) takes
   * from {@code X-Forwarded-Proto}, whoever sent it. Portcullis took that for the connection's own TLS: a client that
   * is not the trusted proxy made plain HTTP count as HTTPS by sending the header.
   */
  @Test
  void forwardedProtoThatUndertowBelieves_fromAClientNotTrusted_isStillPlainHttp()
      throws Exception {
    war = UndertowWar.deploy(builtWar(), dir, ProxyPeerAddressHandler::new, null, info -> {});
    // 127.0.0.2 is not the trusted proxy (127.0.0.1).
    String response = rawGetFrom("127.0.0.2", "/login", "X-Forwarded-Proto: https");
    assertTrue(response.startsWith("HTTP/1.1 308"), response);
    assertTrue(response.contains("Location: https://portal.example/login"), response);
    assertFalse(response.contains("Strict-Transport-Security"), response);
  }

  /** The HTTPS listener: the connection's own TLS makes the request HTTPS, without any forwarded header. */
  @Test
  void overUndertowsHttpsListener_theConnectionIsHttps_andTheCookiesKeepTheirAttributes()
      throws Exception {
    TestTls tls = TestTls.make(dir, "portal.example");
    UndertowWar deployed = UndertowWar.deploy(builtWar(), dir, h -> h, tls.server(), info -> {});
    war = deployed;
    HttpClient https = HttpClient.newBuilder()
        .sslContext(tls.client())
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
    URI base = deployed.uri(1, "https");
    HttpResponse<String> page =
        https.send(HttpRequest.newBuilder(base.resolve("/login")).build(), BodyHandlers.ofString());
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(page.headers().firstValue("Strict-Transport-Security").isPresent(), "HTTPS");
    List<String> cookies = page.headers().allValues("Set-Cookie");
    assertFalse(cookies.isEmpty(), "the login page sets the cookie-check cookie");
    for (String cookie : cookies) {
      assertTrue(cookie.startsWith("__Host-"), cookie);
      assertTrue(cookie.contains("; Path=/"), cookie);
      assertTrue(cookie.contains("; Secure"), cookie);
      assertTrue(cookie.contains("; HttpOnly"), cookie);
      assertTrue(cookie.contains("; SameSite="), cookie);
      assertFalse(cookie.toLowerCase(Locale.ROOT).contains("domain="), cookie);
    }
    assertSecurityHeaders(page);
  }

  /**
   * Undertow's own session manager (its {@code JSESSIONID} cookie, and session ids in URLs, both on by default) stays
   * out: the application's sessions are Portcullis', no URL ever carries a session id, and a path with one is refused.
   */
  @Test
  void theApplicationsSessionIsPortcullis_andUndertowMakesNoneOfItsOwn() throws Exception {
    war = UndertowWar.deploy(builtWar(), dir, h -> h, null, UndertowWarIT::addProbe);
    List<HttpResponse<String>> responses = new ArrayList<>();
    HttpResponse<String> anonymous = send(get("/probe/session"));
    assertEquals(303, anonymous.statusCode(), "the probe needs a login");
    logIn();
    HttpResponse<String> first = send(get("/probe/session"));
    HttpResponse<String> second = send(get("/probe/session"));
    responses.add(first);
    responses.add(second);
    assertEquals(200, first.statusCode(), first.body());
    assertTrue(first.body().contains("visits=1"), first.body());
    assertTrue(second.body().contains("visits=2"), "the session keeps its value: " + second.body());
    assertTrue(second.body().contains("url=/account;"), "encodeURL adds nothing: " + second.body());
    assertTrue(second.body().contains("redirect=/account;"), second.body());
    String sid = jar.entrySet().stream()
        .filter(e -> e.getKey().endsWith("-sid"))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow();
    assertFalse(second.body().contains(sid), "the session cookie's value is not the session's id");
    for (String target : List.of(
        "/account;jsessionid=" + sid, "/probe/session;jsessionid=" + sid, "/login;jsessionid=x")) {
      HttpResponse<String> refused = send(get(target));
      responses.add(refused);
      assertEquals(400, refused.statusCode(), target + ": " + refused.body());
    }
    responses.add(send(get("/account")));
    for (HttpResponse<String> response : responses) {
      for (String cookie : response.headers().allValues("Set-Cookie")) {
        assertFalse(cookie.toUpperCase(Locale.ROOT).startsWith("JSESSIONID"), cookie);
      }
    }
    assertFalse(jar.containsKey("JSESSIONID"), jar.toString());
  }

  /**
   * Regression: Undertow makes every relative {@code sendRedirect} absolute from the request's {@code Host} header and
   * the request's scheme. Through the trusted proxy, a logged-in user's request with {@code Host: evil.example} had the
   * application's redirect to {@code /account} send the browser to {@code http://evil.example/account}, off the
   * portal and onto plain HTTP.
   */
  @Test
  void theApplicationsRedirect_staysOnThisSite_whateverTheHostHeader() throws Exception {
    war = UndertowWar.deploy(builtWar(), dir, h -> h, null, UndertowWarIT::addProbe);
    logIn();
    String cookies = jar.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(java.util.stream.Collectors.joining("; "));
    Map<String, String> answers = new java.util.LinkedHashMap<>();
    for (String host : List.of("127.0.0.1", "evil.example", "evil.example:443")) {
      for (String target : List.of("/probe/redirect", "/probe/redirect-relative")) {
        String response = rawWith(
            "GET " + target + " HTTP/1.1",
            "Host: " + host,
            "X-Forwarded-Proto: https",
            "X-Forwarded-Host: evil.example",
            "Cookie: " + cookies);
        answers.put(host + " " + target, statusAndLocation(response));
      }
    }
    answers.put(
        "absolute-form",
        statusAndLocation(rawWith(
            "GET http://evil.example/probe/redirect HTTP/1.1",
            "Host: evil.example",
            "X-Forwarded-Proto: https",
            "Cookie: " + cookies)));
    assertEquals(
        Map.of(
            "127.0.0.1 /probe/redirect", "302 /account",
            "127.0.0.1 /probe/redirect-relative", "302 ../account",
            "evil.example /probe/redirect", "302 /account",
            "evil.example /probe/redirect-relative", "302 ../account",
            "evil.example:443 /probe/redirect", "302 /account",
            "evil.example:443 /probe/redirect-relative", "302 ../account",
            "absolute-form", "302 /account"),
        answers);
  }

  /**
   * Regression: Undertow answers a request for the context root without its slash itself, before any filter, with a
   * redirect whose {@code Location} it builds from the request's scheme and {@code Host} header (it has no setting for
   * relative redirects). Deployed at {@code /war-portal}, as an application server deploys {@code war-portal.war},
   * {@code GET /war-portal} with {@code Host: evil.example} was sent to {@code http://evil.example/war-portal/}.
   */
  @Test
  void theContextRootsRedirect_staysRelative_whateverTheHostHeader() throws Exception {
    war = UndertowWar.deploy(
        builtWar(), dir, h -> h, null, info -> info.setContextPath("/war-portal"));
    Map<String, String> answers = new java.util.LinkedHashMap<>();
    for (String host : List.of("127.0.0.1", "evil.example", "evil.example:8443")) {
      answers.put(
          host,
          statusAndLocation(
              rawWith("GET /war-portal HTTP/1.1", "Host: " + host, "X-Forwarded-Proto: https")));
    }
    answers.put(
        "query",
        statusAndLocation(rawWith(
            "GET /war-portal?tab=a HTTP/1.1", "Host: evil.example", "X-Forwarded-Proto: https")));
    answers.put(
        "absolute-form",
        statusAndLocation(rawWith(
            "GET http://evil.example/war-portal HTTP/1.1",
            "Host: evil.example",
            "X-Forwarded-Proto: https")));
    assertEquals(
        Map.of(
            "127.0.0.1", "302 /war-portal/",
            "evil.example", "302 /war-portal/",
            "evil.example:8443", "302 /war-portal/",
            "query", "302 /war-portal/?tab=a",
            "absolute-form", "302 /war-portal/"),
        answers);
    // Past the context root, the filter's own redirects are relative too.
    assertEquals(
        "303 /war-portal/login?returnTo=%2Faccount",
        statusAndLocation(rawWith(
            "GET /war-portal/account HTTP/1.1", "Host: evil.example", "X-Forwarded-Proto: https")));
  }

  /**
   * A {@code Host} header with user information, or two of them, or a request line whose host differs from the {@code
   * Host} header, is refused by Undertow with an empty {@code 400} before any filter: no redirect names the host. A
   * request line with user information and the same host reaches the portal, whose redirects stay relative, and the
   * plain-HTTP redirect goes to the configured canonical host.
   */
  @Test
  void hostsWithUserInformation_orTwoHostHeaders_neverReachALocation() throws Exception {
    war = UndertowWar.deploy(builtWar(), dir, h -> h, null, UndertowWarIT::addProbe);
    logIn();
    String cookies = jar.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(java.util.stream.Collectors.joining("; "));
    Map<String, String> answers = new java.util.LinkedHashMap<>();
    answers.put(
        "userinfo host",
        statusAndLocation(rawWith(
            "GET /probe/redirect HTTP/1.1",
            "Host: user@evil.example",
            "X-Forwarded-Proto: https",
            "Cookie: " + cookies)));
    answers.put(
        "two hosts",
        statusAndLocation(rawWith(
            "GET /probe/redirect HTTP/1.1",
            "Host: 127.0.0.1",
            "Host: evil.example",
            "X-Forwarded-Proto: https",
            "Cookie: " + cookies)));
    answers.put(
        "other host in the request line",
        statusAndLocation(rawWith(
            "GET http://user@evil.example/probe/redirect HTTP/1.1",
            "Host: 127.0.0.1",
            "X-Forwarded-Proto: https",
            "Cookie: " + cookies)));
    answers.put(
        "userinfo in the request line",
        statusAndLocation(rawWith(
            "GET http://user@evil.example/probe/redirect HTTP/1.1",
            "Host: evil.example",
            "X-Forwarded-Proto: https",
            "Cookie: " + cookies)));
    answers.put(
        "anonymous, userinfo in the request line",
        statusAndLocation(rawWith(
            "GET http://user@evil.example/account HTTP/1.1",
            "Host: evil.example",
            "X-Forwarded-Proto: https")));
    answers.put(
        "plain HTTP, userinfo in the request line",
        statusAndLocation(
            rawWith("GET http://user@evil.example/account HTTP/1.1", "Host: evil.example")));
    assertEquals(
        Map.of(
            "userinfo host", "400 none",
            "two hosts", "400 none",
            "other host in the request line", "400 none",
            "userinfo in the request line", "302 /account",
            "anonymous, userinfo in the request line", "303 /login?returnTo=%2Faccount",
            "plain HTTP, userinfo in the request line", "308 https://portal.example/account"),
        answers);
  }

  /** The request line and header lines sent as written over the proxy's connection; the whole response as text. */
  private String rawWith(String requestLine, String... headers) throws Exception {
    try (Socket socket = new Socket(war.uri().getHost(), war.uri().getPort())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write((requestLine + "\r\n" + String.join("\r\n", headers)
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** {@code <status> <Location>} of a raw response, the Location "none" when it has none. */
  private static String statusAndLocation(String response) {
    String status = response.split(" ", 3)[1];
    for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
      if (line.regionMatches(true, 0, "Location:", 0, 9)) {
        return status + " " + line.substring(9).trim();
      }
    }
    return status + " none";
  }

  /**
   * Forward, include, async and an exception's error dispatch all run behind Portcullis on Undertow. Regression: for an
   * exception Undertow clears every response header and dispatches to the error page with its own request and
   * response, and the filter passed that dispatch on as one it already wraps: the error page went out without the
   * security headers.
   */
  @Test
  void forwardIncludeAsyncAndErrorDispatches_areBehindPortcullis() throws Exception {
    war = UndertowWar.deploy(builtWar(), dir, h -> h, null, UndertowWarIT::addProbe);
    logIn();
    HttpResponse<String> forward = send(get("/probe/forward"));
    assertEquals(200, forward.statusCode(), forward.body());
    assertTrue(forward.body().contains("<span id=\"user\">u-alice</span>"), forward.body());
    assertSecurityHeaders(forward);

    HttpResponse<String> include = send(get("/probe/include"));
    assertEquals(200, include.statusCode(), include.body());
    assertTrue(include.body().contains("Terms of use"), include.body());
    assertTrue(include.body().contains("name=\"_csrf\""), "the included page sees the login");
    assertSecurityHeaders(include);

    HttpResponse<String> async = send(get("/probe/async"));
    assertEquals(200, async.statusCode(), async.body());
    assertEquals("async u-alice secure=true", async.body().strip());
    assertSecurityHeaders(async);

    HttpResponse<String> failure = send(get("/probe/fail"));
    assertEquals(500, failure.statusCode(), failure.body());
    assertEquals("Something went wrong.", failure.body().strip());
    assertSecurityHeaders(failure);

    HttpResponse<String> missing = send(get("/no-such-page"));
    assertEquals(404, missing.statusCode(), missing.body());
    assertEquals("The request could not be handled.", missing.body().strip());
    assertSecurityHeaders(missing);
  }

  /**
   * Paths Undertow reads differently from the URI as sent (a dot segment, encoded or behind a path parameter; a path
   * parameter; an encoded slash) never reach a page, logged in or not. An encoded slash Undertow keeps encoded and
   * maps to nothing; Portcullis refuses the rest.
   */
  @Test
  void pathsUndertowReadsAnotherWay_reachNoPage() throws Exception {
    war = UndertowWar.deploy(builtWar(), dir, h -> h, null, info -> {});
    for (String target : List.of(
        "/login/%2e%2e/account",
        "/terms/..;x=y/account",
        "/login;x=y",
        "/account;jsessionid=abc",
        "/terms%2f..%2faccount",
        "/%2e%2e/account")) {
      String response = rawGet(target);
      assertFalse(response.startsWith("HTTP/1.1 200"), target + ": " + response);
      assertFalse(response.contains("Your account"), target + ": " + response);
      assertFalse(response.contains("Log in</h1>"), target + ": " + response);
    }
  }

  /**
   * Servlets mapped by extension ({@code *.do}) and by prefix ({@code /x/*}) beside the WAR's pages: no spelling that
   * Undertow maps to them ({@link MappedServlets#SPELLINGS}) reaches them without a login; with one they answer.
   */
  @Test
  void servletsMappedByExtensionAndPrefix_answerNoSpellingWithoutALogin() throws Exception {
    war = UndertowWar.deploy(
        builtWar(),
        dir,
        h -> h,
        null,
        info -> info.addServlets(
            Servlets.servlet(
                    "actions",
                    MappedServlets.ProtectedPage.class,
                    new ImmediateInstanceFactory<>(new MappedServlets.ProtectedPage("action")))
                .addMapping(MappedServlets.ACTIONS),
            Servlets.servlet(
                    "files",
                    MappedServlets.ProtectedPage.class,
                    new ImmediateInstanceFactory<>(new MappedServlets.ProtectedPage("file")))
                .addMapping(MappedServlets.FILES)));
    assertMappedServletsNeedALogin();
  }

  /**
   * With {@code setEagerFilterInit(true)} (see the README's Undertow note), a mistake found when the filter is built
   * fails the deployment, as on Tomcat and Jetty: here the audit file, which another writer holds.
   */
  @Test
  void aFilterThatCannotStart_failsTheDeployment_withEagerFilterInit() throws Exception {
    Files.createDirectories(auditFile.getParent());
    try (AuditSink held = AuditSink.hashChained(auditFile)) {
      Exception failure = assertThrows(
          Exception.class,
          () -> war = UndertowWar.deploy(
              builtWar(), dir, h -> h, null, info -> info.setEagerFilterInit(true)));
      assertTrue(
          String.valueOf(failure).contains("already open for writing"), String.valueOf(failure));
    }
  }

  /**
   * Regression: Undertow's default builds a filter at the first request, so the same mistake left the deployment
   * running, and each request failed before the application was called, with Undertow's empty 500. The initializer now
   * has the deployment start its filters, so the deployment fails at start with Undertow's defaults too.
   */
  @Test
  void aFilterThatCannotStart_failsTheDeployment_withUndertowsDefaults() throws Exception {
    Files.createDirectories(auditFile.getParent());
    try (AuditSink held = AuditSink.hashChained(auditFile)) {
      Exception failure = assertThrows(
          Exception.class,
          () -> war = UndertowWar.deploy(builtWar(), dir, h -> h, null, info -> {}));
      assertTrue(
          String.valueOf(failure).contains("already open for writing"), String.valueOf(failure));
    }
  }

  private static void assertSecurityHeaders(HttpResponse<String> response) {
    String headers = response.uri().getPath() + ": " + response.headers().map();
    assertEquals(
        "nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""), headers);
    assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""), headers);
    assertTrue(response.headers().firstValue("Strict-Transport-Security").isPresent(), headers);
  }

  /** A GET of {@code target} over a socket bound to {@code from}, with {@code header}; the whole response as text. */
  private String rawGetFrom(String from, String target, String header) throws Exception {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress(war.uri().getHost(), war.uri().getPort()), 10_000);
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A servlet of the test at {@code /probe/*}, protected like the WAR's own pages. */
  private static void addProbe(DeploymentInfo info) {
    info.addServlet(
        Servlets.servlet("probe", Probe.class).addMapping("/probe/*").setAsyncSupported(true));
  }

  /** What an application does with the servlet API, one request path each. */
  public static final class Probe extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws ServletException, IOException {
      String what = request.getPathInfo() == null ? "" : request.getPathInfo();
      switch (what) {
        case "/session" -> {
          HttpSession session = request.getSession();
          Object before = session.getAttribute("visits");
          int visits = (before instanceof Integer n ? n : 0) + 1;
          session.setAttribute("visits", visits);
          response.setContentType("text/plain;charset=utf-8");
          response
              .getWriter()
              .println("visits=" + visits + " id=" + session.getId()
                  + " url=" + response.encodeURL("/account") + ";"
                  + " redirect=" + response.encodeRedirectURL("/account") + ";");
        }
        case "/forward" -> request.getRequestDispatcher("/account").forward(request, response);
        case "/include" -> {
          response.setContentType("text/html;charset=utf-8");
          request.getRequestDispatcher("/terms").include(request, response);
        }
        case "/async" -> {
          AsyncContext async = request.startAsync();
          async.start(() -> {
            try {
              HttpServletRequest r = (HttpServletRequest) async.getRequest();
              async.getResponse().setContentType("text/plain;charset=utf-8");
              async
                  .getResponse()
                  .getWriter()
                  .println("async " + r.getRemoteUser() + " secure=" + r.isSecure());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } finally {
              async.complete();
            }
          });
        }
        case "/fail" -> throw new IllegalStateException("a failure of the application");
        case "/redirect" -> response.sendRedirect(request.getContextPath() + "/account");
        case "/redirect-relative" -> response.sendRedirect("../account");
        default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
      }
    }
  }

  /** The WAR on an Undertow server, with the handler in front of the deployment and an optional HTTPS listener. */
  static final class UndertowWar implements DeployedWar {
    private final Path root;
    private final Path temp;
    private final ServletContainer container = ServletContainer.Factory.newInstance();
    private final PathHandler paths = Handlers.path();
    private final Undertow server;
    private final Consumer<DeploymentInfo> settings;
    private URLClassLoader loader;
    private DeploymentInfo info;
    private DeploymentManager manager;

    private UndertowWar(
        Path root,
        Path temp,
        UnaryOperator<HttpHandler> front,
        SSLContext tls,
        Consumer<DeploymentInfo> settings) {
      this.root = root;
      this.temp = temp;
      this.settings = settings;
      Undertow.Builder builder =
          Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(front.apply(paths));
      if (tls != null) {
        builder.addHttpsListener(0, "127.0.0.1", tls);
      }
      this.server = builder.build();
    }

    /**
     * Deploys {@code war} at the root context and starts the server; {@code front} wraps the deployment's handler
     * (Undertow's own handlers in front of the servlets, as a server's configuration adds them), and {@code settings}
     * changes the deployment after {@code web.xml} was read (its context path among them).
     */
    static UndertowWar deploy(
        Path war,
        Path workDir,
        UnaryOperator<HttpHandler> front,
        SSLContext tls,
        Consumer<DeploymentInfo> settings)
        throws Exception {
      Path root =
          unpack(war, Files.createDirectories(workDir.resolve("undertow").resolve("war")));
      Path temp = Files.createDirectories(workDir.resolve("undertow").resolve("tmp"));
      UndertowWar deployed = new UndertowWar(root, temp, front, tls, settings);
      deployed.server.start();
      try {
        deployed.start();
      } catch (Exception | Error e) {
        deployed.close();
        throw e;
      }
      return deployed;
    }

    private void start() throws Exception {
      loader = webAppLoader(root);
      info = deploymentInfo(root, temp, loader);
      settings.accept(info);
      container.addDeployment(info);
      manager = container.getDeployment(info.getDeploymentName());
      manager.deploy();
      paths.addPrefixPath(info.getContextPath(), manager.start());
    }

    /** The address of the {@code index}th listener: 0 is plain HTTP, 1 HTTPS when there is one. */
    URI uri(int index, String scheme) {
      InetSocketAddress address =
          (InetSocketAddress) server.getListenerInfo().get(index).getAddress();
      return URI.create(scheme + "://127.0.0.1:" + address.getPort() + "/");
    }

    @Override
    public URI uri() {
      return uri(0, "http");
    }

    @Override
    public int httpsPort() {
      return server.getListenerInfo().size() > 1 ? uri(1, "https").getPort() : -1;
    }

    @Override
    public void redeploy() throws Exception {
      // As an application server redeploys a WAR: the old deployment is stopped and removed, and
      // the
      // archive deployed anew with a class loader of its own.
      stopContext();
      start();
    }

    @Override
    public void stopContext() throws Exception {
      if (manager == null) {
        return;
      }
      paths.removePrefixPath(info.getContextPath());
      manager.stop();
      manager.undeploy();
      container.removeDeployment(info);
      manager = null;
      loader.close();
    }

    @Override
    public boolean running() {
      return manager != null && manager.getState() == DeploymentManager.State.STARTED;
    }

    @Override
    public void close() throws Exception {
      try {
        stopContext();
      } finally {
        server.stop();
      }
    }
  }

  private static Path unpack(Path war, Path into) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(war))) {
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        Path target = into.resolve(entry.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("an entry outside the archive: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(zip, target);
        }
      }
    }
    return into;
  }

  /**
   * {@code WEB-INF/classes} and the jars of {@code WEB-INF/lib}. The test class path is the parent, as the server's
   * modules are an application server's; it holds neither the WAR's classes nor the Portcullis servlet jars (see the
   * failsafe configuration), so they come from the WAR.
   */
  private static URLClassLoader webAppLoader(Path root) throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(root.resolve("WEB-INF/classes").toUri().toURL());
    try (Stream<Path> jars = Files.list(root.resolve("WEB-INF/lib"))) {
      for (Path jar : jars.sorted().toList()) {
        urls.add(jar.toUri().toURL());
      }
    }
    return new URLClassLoader(
        "war-portal", urls.toArray(URL[]::new), UndertowWarIT.class.getClassLoader());
  }

  @SuppressWarnings("unchecked")
  private static DeploymentInfo deploymentInfo(Path root, Path temp, ClassLoader loader)
      throws Exception {
    DeploymentInfo info = Servlets.deployment()
        .setClassLoader(loader)
        .setContextPath("/")
        .setDeploymentName("war-portal.war")
        .setResourceManager(new PathResourceManager(root))
        .setTempDir(temp);
    Document webXml;
    try (InputStream in = Files.newInputStream(root.resolve("WEB-INF/web.xml"))) {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      webXml = factory.newDocumentBuilder().parse(in);
    }
    for (Element servlet : elements(webXml.getDocumentElement(), "servlet")) {
      String name = text(servlet, "servlet-name");
      ServletInfo servletInfo = Servlets.servlet(
          name, (Class<? extends Servlet>) loader.loadClass(text(servlet, "servlet-class")));
      for (Element mapping : elements(webXml.getDocumentElement(), "servlet-mapping")) {
        if (name.equals(text(mapping, "servlet-name"))) {
          for (Element pattern : elements(mapping, "url-pattern")) {
            servletInfo.addMapping(pattern.getTextContent().strip());
          }
        }
      }
      info.addServlet(servletInfo);
    }
    for (Element page : elements(webXml.getDocumentElement(), "error-page")) {
      info.addErrorPage(Servlets.errorPage(text(page, "location")));
    }
    // The initializers of the WAR's own jars, not those of the server's class path.
    for (ServiceLoader.Provider<ServletContainerInitializer> provider :
        ServiceLoader.load(ServletContainerInitializer.class, loader).stream().toList()) {
      if (provider.type().getClassLoader() == loader) {
        info.addServletContainerInitializer(new ServletContainerInitializerInfo(
            provider.type(), new ImmediateInstanceFactory<>(provider.get()), Set.of()));
      }
    }
    return info;
  }

  private static List<Element> elements(Element parent, String name) {
    NodeList nodes = parent.getElementsByTagName(name);
    List<Element> list = new ArrayList<>(nodes.getLength());
    for (int i = 0; i < nodes.getLength(); i++) {
      list.add((Element) nodes.item(i));
    }
    return list;
  }

  private static String text(Element parent, String name) {
    return elements(parent, name).get(0).getTextContent().strip();
  }
}
