package dev.portcullis.examples.war;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.testing.TestTls;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built WAR (target/war-portal.war) deployed on a real container, driven over HTTP as the TLS-terminating proxy
 * that the example's {@code portcullis.properties} trusts would drive it ({@code X-Forwarded-Proto: https} from
 * 127.0.0.1). The deployment adds what the WAR leaves to it: a settings file named by {@code -Dportcullis.config}
 * with the key file and the audit file.
 */
abstract class WarPortalScenario {
  private static final String PASSWORD = "alice-war-portal-pass";
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  @TempDir
  Path dir;

  Path auditFile;
  Path settings;
  DeployedWar war;
  private final HttpClient client = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  /** The browser's cookies. */
  final Map<String, String> jar = new LinkedHashMap<>();

  /** Deploys {@code war} on a fresh container, with {@code workDir} for the container's files. */
  abstract DeployedWar deploy(Path war, Path workDir) throws Exception;

  /**
   * As {@link #deploy}, with an HTTPS connector beside the plain one that serves {@code tls}'s certificate with the
   * container's own TLS settings ({@link DeployedWar#httpsPort()}).
   */
  abstract DeployedWar deployOverTls(Path war, Path workDir, TestTls tls) throws Exception;

  @BeforeEach
  void settings() throws Exception {
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
    auditFile = dir.resolve("logs").resolve("audit.jsonl");
    settings = dir.resolve("deployment.properties");
    Files.writeString(
        settings,
        "portcullis.keys.file=" + keys.toString().replace("\\", "/") + "\n"
            + "portcullis.audit.file=" + auditFile.toString().replace("\\", "/") + "\n");
    System.setProperty("portcullis.config", settings.toString());
    System.setProperty(ExampleUsers.PASSWORD_PROPERTY, PASSWORD);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (war != null) {
        war.close();
      }
    } finally {
      System.clearProperty("portcullis.config");
      System.clearProperty(ExampleUsers.PASSWORD_PROPERTY);
    }
  }

  DeployedWar deployBuiltWar() throws Exception {
    return deploy(builtWar(), dir);
  }

  /** target/war-portal.war. */
  static Path builtWar() {
    Path file = Path.of(System.getProperty("war.file", "target/war-portal.war"));
    assertTrue(
        Files.isRegularFile(file),
        "the WAR is built first (mvn verify runs the ITs after package): " + file);
    return file;
  }

  @Test
  void logIn_logOut_redeployTwice_logInAgain() throws Exception {
    war = deployBuiltWar();
    assertTrue(war.running(), "the WAR starts");

    logIn();
    HttpResponse<String> account = send(get("/account"));
    assertEquals(200, account.statusCode());
    assertTrue(account.body().contains("<span id=\"user\">u-alice</span>"), account.body());
    assertTrue(
        account.headers().firstValue("Strict-Transport-Security").isPresent(),
        "Portcullis answered");

    HttpResponse<String> logout = send(post("/logout", Map.of("_csrf", csrf(account))));
    assertEquals(303, logout.statusCode());
    assertEquals(
        303,
        send(get("/account")).statusCode(),
        "logged out: the protected page sends to the login");

    for (int i = 1; i <= 2; i++) {
      war.redeploy();
      assertTrue(
          war.running(), "redeploy " + i + " starts (the audit file was closed by the stop)");
      assertEquals(200, send(get("/login")).statusCode(), "redeploy " + i);
    }

    jar.clear();
    logIn();
    HttpResponse<String> again = send(get("/account"));
    assertEquals(200, again.statusCode());
    assertTrue(again.body().contains("u-alice"), again.body());

    war.stopContext();
    // The stopped application let go of its audit file: this JVM can open it for writing again.
    AuditSink.hashChained(auditFile).close();
    String audit = Files.readString(auditFile);
    assertEquals(2, count(audit, "\"authn_login_success\""), audit);
    assertTrue(audit.contains("\"logout\""), "the logout is audited");
    assertFalse(audit.contains(PASSWORD), "no password in the audit log");
  }

  /**
   * Regression: the WAR had no terms page and nothing at its root. Its login form asks to accept terms that were not
   * there ({@code /terms} answered 404), and Portcullis, which holds a user who has not accepted the current version
   * at {@code /terms} and sends a user to {@code /} after a login without {@code returnTo} or after accepting, sent
   * them to a 404.
   */
  @Test
  void loginWithoutReturnTo_landsOnTheAccount_andTheTermsPageIsThere() throws Exception {
    war = deployBuiltWar();
    HttpResponse<String> anonymousTerms = send(get("/terms"));
    assertEquals(200, anonymousTerms.statusCode(), anonymousTerms.body());
    assertTrue(anonymousTerms.body().contains("Terms of use"), anonymousTerms.body());
    assertFalse(anonymousTerms.body().contains("acceptTerms"), "the form is for logged-in users");

    HttpResponse<String> loginPage = send(get("/login"));
    assertTrue(loginPage.body().contains("href=\"/terms\""), "the login form links the terms");
    HttpResponse<String> login = send(post(
        "/login",
        Map.of(
            "username",
            "alice",
            "password",
            PASSWORD,
            "acceptTerms",
            "yes",
            "_csrf",
            csrf(loginPage))));
    assertEquals(303, login.statusCode());
    String next = login.headers().firstValue("Location").orElse("");
    assertEquals("/", next);
    HttpResponse<String> home = send(get(next));
    assertEquals(200, home.statusCode(), home.body());
    assertTrue(home.body().contains("<span id=\"user\">u-alice</span>"), home.body());

    // A logged-in user gets the form that accepts the terms (Portcullis answers its POST when there
    // is something to accept); with nothing to accept the page's POST goes to the account.
    HttpResponse<String> terms = send(get("/terms"));
    assertEquals(200, terms.statusCode());
    assertTrue(terms.body().contains("name=\"acceptTerms\""), terms.body());
    HttpResponse<String> again =
        send(post("/terms", Map.of("acceptTerms", "yes", "_csrf", csrf(terms))));
    assertEquals(303, again.statusCode());
    assertEquals("/account", again.headers().firstValue("Location").orElse(""));
  }

  /**
   * Regression: a second container given the same audit file (a second process) opened it and appended to the WAR's
   * hash chain, because the writer's lock was released as soon as the file was opened.
   */
  @Test
  void secondProcess_isRefusedTheAuditFile_whileTheWarWritesIt() throws Exception {
    war = deployBuiltWar();
    logIn();
    HttpResponse<String> account = send(get("/account"));
    assertEquals(200, account.statusCode());

    Process other = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            SecondAuditWriter.class.getName(),
            auditFile.toString())
        .redirectErrorStream(true)
        .start();
    other.getOutputStream().close();
    String output = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(other.waitFor(60, TimeUnit.SECONDS), "the second process ends");
    assertEquals(SecondAuditWriter.REFUSED, other.exitValue(), output);
    assertTrue(output.contains("already open for writing"), output);

    assertEquals(303, send(post("/logout", Map.of("_csrf", csrf(account)))).statusCode());
    war.stopContext();
    AuditChainVerifier.Result chain = AuditChainVerifier.verify(auditFile);
    assertTrue(chain.intact(), "the WAR's chain is unbroken: " + chain);
    assertFalse(Files.readString(auditFile).contains("evt-second-container"));
  }

  /**
   * Regression: the proxy the WAR trusts writes {@code X-Forwarded-For} and {@code X-Forwarded-Proto} and passes any
   * other header on, and Portcullis believed a {@code Forwarded} header before them. A stranger who sent {@code
   * Forwarded: for=<the owner's address>} passed for the owner's known address: 100 wrong passwords used up that
   * address's own budget, the owner could no longer log in from it, and the audit log put the failures on the owner's
   * address.
   */
  @Test
  void aStrangerNamingTheOwnersAddressInForwarded_cannotLockTheOwnerOut() throws Exception {
    war = deployBuiltWar();
    logIn(); // from 192.0.2.10, which becomes a known address of the account
    jar.clear();

    for (int i = 0; i < 100; i++) {
      Map<String, String> stranger = new LinkedHashMap<>();
      HttpResponse<String> page = sendAs(stranger, get("/login"));
      Matcher token = CSRF.matcher(page.body());
      sendAs(
          stranger,
          post(
              "/login",
              Map.of(
                  "username",
                  "alice",
                  "password",
                  "guess-" + i,
                  "acceptTerms",
                  "yes",
                  "_csrf",
                  token.find() ? token.group(1) : "")));
    }

    HttpResponse<String> loginPage = send(get("/login"));
    HttpResponse<String> owner = send(post(
        "/login",
        Map.of(
            "username",
            "alice",
            "password",
            PASSWORD,
            "acceptTerms",
            "yes",
            "_csrf",
            csrf(loginPage))));
    assertEquals(
        "/",
        owner.headers().firstValue("Location").orElse(""),
        "the owner still logs in from her known address");
    war.stopContext();
    String audit = Files.readString(auditFile);
    assertEquals(
        1,
        count(audit, "\"client_address\":\"192.0.2.10\",\"reason\":\"BAD_CREDENTIALS\""),
        "the owner's own wrong password is the one failed login put on her address");
  }

  /**
   * {@code request} as the proxy sends a stranger's request on: the stranger's own address in {@code
   * X-Forwarded-For}, and the {@code Forwarded} header the stranger wrote, naming the owner's address.
   */
  private HttpResponse<String> sendAs(Map<String, String> cookies, HttpRequest.Builder request)
      throws Exception {
    request
        .setHeader("X-Forwarded-For", "203.0.113.5")
        .setHeader("Forwarded", "for=192.0.2.10;proto=https");
    if (!cookies.isEmpty()) {
      request.setHeader(
          "Cookie",
          cookies.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining("; ")));
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    for (String header : response.headers().allValues("Set-Cookie")) {
      for (HttpCookie cookie : HttpCookie.parse(header)) {
        cookies.put(cookie.getName(), cookie.getValue());
      }
    }
    return response;
  }

  @Test
  void anonymousRequestToTheProtectedPage_isRefused() throws Exception {
    war = deployBuiltWar();
    HttpResponse<String> page = send(get("/account"));
    assertEquals(303, page.statusCode());
    assertEquals(
        "/login?returnTo=%2Faccount", page.headers().firstValue("Location").orElse(""));
    assertFalse(page.body().contains("Your account"));

    HttpResponse<String> post = send(post("/account", Map.of()));
    assertTrue(post.statusCode() == 401 || post.statusCode() == 403, "POST: " + post.statusCode());

    // Plain HTTP that did not come through the proxy goes to the canonical host over HTTPS.
    HttpResponse<String> plain = client.send(
        HttpRequest.newBuilder(war.uri().resolve("/account")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(308, plain.statusCode());
    assertEquals(
        "https://portal.example/account", plain.headers().firstValue("Location").orElse(""));
  }

  /**
   * A browser that blocks cookies gets Portcullis' plain page on its login, not the container's or the WAR's error
   * page: no redirect, no cookie kept, and it stays anonymous.
   */
  @Test
  void browserThatBlocksCookies_isToldItCannotLogIn_andStaysAnonymous() throws Exception {
    war = deployBuiltWar();
    HttpResponse<String> loginPage = send(get("/login?returnTo=%2Faccount"));
    assertEquals(200, loginPage.statusCode(), loginPage.body());
    jar.clear(); // the browser keeps no cookie
    HttpResponse<String> login = send(post(
        "/login",
        Map.of(
            "username",
            "alice",
            "password",
            PASSWORD,
            "acceptTerms",
            "yes",
            "_csrf",
            csrf(loginPage),
            "returnTo",
            "/account")));
    jar.clear();
    assertEquals(400, login.statusCode(), login.body());
    assertTrue(
        login.body().contains("Your browser is blocking cookies, so you cannot log in"),
        login.body());
    assertTrue(
        login.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        login.headers().toString());
    assertTrue(login.headers().firstValue("Location").isEmpty(), login.headers().toString());
    assertTrue(
        login.headers().allValues("Set-Cookie").isEmpty(), login.headers().toString());

    HttpResponse<String> next = send(get("/account"));
    assertEquals(303, next.statusCode());
    assertEquals(
        "/login?returnTo=%2Faccount", next.headers().firstValue("Location").orElse(""));
    assertFalse(next.body().contains("Your account"), next.body());
  }

  /**
   * Over the container's own HTTPS connector, requests whose SNI name and {@code Host} header disagree (the canonical
   * host against {@code evil.example} and the reverse, the hostile name in both, a {@code Host} with another port,
   * none): nothing the container or the WAR answers (the login redirect, the login page and its cookie, the login and
   * its cookies, the pages and error page of a logged-in user) names the host or port the client chose or scopes a
   * cookie to it.
   */
  @Test
  void overTls_aHostTheClientChose_isNamedByNoResponse_andScopesNoCookie() throws Exception {
    TestTls tls = TestTls.make(dir, "portal.example");
    war = deployOverTls(builtWar(), dir, tls);
    int port = war.httpsPort();
    int otherPort = port == 65535 ? 1 : port + 1;
    String[][] namings = {
      {"portal.example", "evil.example"},
      {"evil.example", "portal.example"},
      {"evil.example", "evil.example"},
      {"portal.example", "portal.example:" + otherPort},
      {"portal.example", null},
      {null, "evil.example"}
    };
    Map<String, Integer> statuses = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String[] naming : namings) {
      String sni = naming[0];
      String host = naming[1];
      String name = "SNI " + sni + ", Host " + host + ": ";
      for (String target : List.of("/account", "/", "/nowhere")) {
        check(
            name + "GET " + target,
            tlsRequest(tls, sni, host, "GET", target, "", null),
            otherPort,
            statuses,
            problems);
      }
      String[] page = tlsRequest(tls, sni, host, "GET", "/login", "", null);
      check(name + "GET /login", page, otherPort, statuses, problems);
      Matcher token = CSRF.matcher(page[1]);
      if (!token.find()) {
        continue;
      }
      Map<String, String> cookies = new LinkedHashMap<>();
      keepCookies(cookies, page[0]);
      String form = "username=alice&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8)
          + "&acceptTerms=yes&_csrf=" + URLEncoder.encode(token.group(1), StandardCharsets.UTF_8);
      String[] login = tlsRequest(tls, sni, host, "POST", "/login", cookieHeader(cookies), form);
      check(name + "POST /login", login, otherPort, statuses, problems);
      keepCookies(cookies, login[0]);
      for (String target : List.of("/account", "/nowhere", "/terms")) {
        check(
            name + "GET " + target + " logged in",
            tlsRequest(tls, sni, host, "GET", target, cookieHeader(cookies), null),
            otherPort,
            statuses,
            problems);
      }
    }
    System.out.println(getClass().getSimpleName() + " over TLS: " + statuses);
    assertTrue(problems.isEmpty(), String.join("\n\n", problems));
    // A Host the certificate names logs in whatever the SNI name or port.
    for (String name : List.of(
        "SNI evil.example, Host portal.example: ",
        "SNI portal.example, Host portal.example:" + otherPort + ": ")) {
      assertEquals(303, statuses.get(name + "POST /login"), name + statuses);
      assertEquals(200, statuses.get(name + "GET /account logged in"), name + statuses);
    }
  }

  /**
   * Sends one request over a TLS connection of its own to the HTTPS port, naming {@code sni} in the handshake (none
   * when null) and {@code host} in the Host header (an HTTP/1.0 request without one when null), with a form body when
   * {@code form} is not null; the response's head and body.
   */
  private String[] tlsRequest(
      TestTls tls,
      String sni,
      String host,
      String method,
      String target,
      String cookies,
      String form)
      throws Exception {
    StringBuilder request = new StringBuilder(method).append(' ').append(target);
    request.append(host == null ? " HTTP/1.0\r\n" : " HTTP/1.1\r\nHost: " + host + "\r\n");
    if (!cookies.isEmpty()) {
      request.append("Cookie: ").append(cookies).append("\r\n");
    }
    if (form != null) {
      request
          .append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")
          .append(form.length())
          .append("\r\n");
    }
    request.append("Connection: close\r\n\r\n").append(form == null ? "" : form);
    try (SSLSocket socket = (SSLSocket) tls.client()
        .getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), war.httpsPort())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String response =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int end = response.indexOf("\r\n\r\n");
      return end < 0
          ? new String[] {response, ""}
          : new String[] {response.substring(0, end), response.substring(end + 4)};
    }
  }

  /** Records the status, and what in the response names the hostile host or the other port or weakens a cookie. */
  private static void check(
      String probe,
      String[] response,
      int otherPort,
      Map<String, Integer> statuses,
      List<String> problems) {
    String head = response[0];
    String[] statusLine = head.split("\r\n", 2)[0].split(" ", 3);
    int status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
    statuses.put(probe, status);
    String all = (head + "\r\n\r\n" + response[1]).toLowerCase(Locale.ROOT);
    List<String> found = new ArrayList<>();
    if (all.contains("evil.example")) {
      found.add("names evil.example");
    }
    if (all.contains(":" + otherPort)) {
      found.add("names the port " + otherPort);
    }
    for (String line : head.split("\r\n")) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("location:")
          && (lower.contains("://") || lower.startsWith("location: //"))) {
        found.add("an absolute Location");
      }
      if (lower.startsWith("set-cookie:")
          && (lower.contains("domain=") || !lower.contains("; secure"))) {
        found.add("a cookie with a Domain or without Secure: " + line);
      }
    }
    if (status < 0 || status >= 500) {
      found.add("status " + status);
    }
    if (!found.isEmpty()) {
      problems.add(probe + ": " + found + "\n" + head + "\r\n\r\n" + response[1]);
    }
  }

  private static void keepCookies(Map<String, String> cookies, String head) {
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "Set-Cookie:", 0, 11)) {
        String pair = line.substring(11).trim().split(";", 2)[0];
        int eq = pair.indexOf('=');
        if (line.toLowerCase(Locale.ROOT).contains("max-age=0")) {
          cookies.remove(pair.substring(0, eq));
        } else {
          cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
    }
  }

  private static String cookieHeader(Map<String, String> cookies) {
    return cookies.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("; "));
  }

  @Test
  void malformedLoginForm_getsThePlainBadRequest_withoutTheContainersStackTrace() throws Exception {
    war = deployBuiltWar();
    HttpResponse<String> loginPage = send(get("/login"));
    // A percent sign that starts no escape: the container cannot parse the form, and both Tomcat's
    // and Jetty's error pages print the stack trace of the exception it throws.
    HttpResponse<String> response = send(request("/login")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(
            "username=alice&password=%zz&acceptTerms=yes&_csrf=" + csrf(loginPage))));
    assertFalse(response.body().contains("Exception"), response.body());
    assertTrue(
        response.headers().firstValue("Strict-Transport-Security").isPresent(),
        "Portcullis answered");
    assertMalformedLoginFormAnswer(response);
  }

  /** Tomcat and Jetty throw for the form, and Portcullis answers its plain 400. */
  void assertMalformedLoginFormAnswer(HttpResponse<String> response) {
    assertEquals(400, response.statusCode());
    assertEquals("Bad request.", response.body().strip(), "Portcullis' own page");
  }

  @Test
  void malformedQueryString_getsTheApplicationsErrorPage_withoutAStackTrace() throws Exception {
    war = deployBuiltWar();
    // The login page reads returnTo with getParameter, which throws for a query string that does
    // not decode; Jetty's error page of a web application prints that exception's stack trace.
    // (java.net.URI refuses such a URI, so the request goes over a socket.)
    String response = rawGet("/login?returnTo=%zz");
    assertTrue(response.startsWith("HTTP/1.1 400"), response);
    assertFalse(response.contains("Exception"), response);
    assertMalformedQueryStringAnswer(response);
  }

  /** Tomcat and Jetty hand the request to the application, whose error page answers. */
  void assertMalformedQueryStringAnswer(String response) {
    assertTrue(response.contains("The request could not be handled."), response);
  }

  /** A GET of {@code target} exactly as written, as the proxy sends it; the whole response as text. */
  String rawGet(String target) throws Exception {
    return raw("GET", target);
  }

  /** {@code method} of {@code target} as sent, through the trusted proxy's HTTPS, with no cookies. */
  String raw(String method, String target) throws Exception {
    try (Socket socket = new Socket(war.uri().getHost(), war.uri().getPort())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void misspeltSetting_failsTheDeployment() throws Exception {
    Files.writeString(
        settings, "portcullis.sesion.idle-timeout=1m\n", java.nio.file.StandardOpenOption.APPEND);
    try {
      war = deployBuiltWar();
    } catch (Exception e) {
      return; // the container refused to start at all: also a failed deployment
    }
    assertFalse(war.running(), "a misspelt setting must not start the application");
    HttpResponse<String> page = send(get("/account"));
    assertFalse(page.statusCode() == 200, "nothing is served: " + page.statusCode());
  }

  /**
   * Each of {@link MappedServlets#SPELLINGS}, anonymous, gets no success and nothing of the mapped servlets; after a
   * login, they answer their plain paths.
   */
  void assertMappedServletsNeedALogin() throws Exception {
    for (String target : MappedServlets.SPELLINGS) {
      // HttpServlet answers HEAD through doGet, and OPTIONS (the servlet's methods) and TRACE (the
      // request echoed,
      // cookies included) itself.
      for (String method : new String[] {"GET", "HEAD", "OPTIONS", "TRACE"}) {
        String response = raw(method, target);
        assertFalse(response.contains("protected "), method + " " + target + ": " + response);
        assertFalse(response.startsWith("HTTP/1.1 2"), method + " " + target + ": " + response);
      }
    }
    logIn();
    HttpResponse<String> action = send(get("/reports/7.do"));
    assertEquals(200, action.statusCode(), action.body());
    assertTrue(action.body().contains("protected action /reports/7.do"), action.body());
    HttpResponse<String> file = send(get("/x/report"));
    assertEquals(200, file.statusCode(), file.body());
    assertTrue(file.body().contains("protected file /report"), file.body());
  }

  void logIn() throws Exception {
    HttpResponse<String> loginPage = send(get("/login?returnTo=%2Faccount"));
    assertEquals(200, loginPage.statusCode(), loginPage.body());
    HttpResponse<String> wrong = send(post(
        "/login",
        Map.of(
            "username",
            "alice",
            "password",
            "not-the-password",
            "acceptTerms",
            "yes",
            "_csrf",
            csrf(loginPage),
            "returnTo",
            "/account")));
    assertEquals(303, wrong.statusCode());
    assertTrue(wrong.headers().firstValue("Location").orElse("").startsWith("/login?error=1"));
    HttpResponse<String> again = send(get("/login"));
    HttpResponse<String> right = send(post(
        "/login",
        Map.of(
            "username",
            "alice",
            "password",
            PASSWORD,
            "acceptTerms",
            "yes",
            "_csrf",
            csrf(again),
            "returnTo",
            "/account")));
    assertEquals(303, right.statusCode());
    assertEquals("/account", right.headers().firstValue("Location").orElse(""));
  }

  HttpRequest.Builder get(String pathAndQuery) {
    return request(pathAndQuery).GET();
  }

  HttpRequest.Builder post(String path, Map<String, String> fields) {
    String form = fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return request(path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  /** What the TLS-terminating proxy sends on, with the browser's cookies. */
  HttpRequest.Builder request(String pathAndQuery) {
    URI uri = war.uri().resolve(pathAndQuery);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30))
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-For", "192.0.2.10");
    if (!jar.isEmpty()) {
      request.header(
          "Cookie",
          jar.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining("; ")));
    }
    return request;
  }

  /** Sends and keeps the response's cookies, as a browser would (an expired cookie is dropped). */
  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    for (String header : response.headers().allValues("Set-Cookie")) {
      for (HttpCookie cookie : HttpCookie.parse(header)) {
        if (cookie.getMaxAge() == 0 || cookie.getValue().isEmpty()) {
          jar.remove(cookie.getName());
        } else {
          jar.put(cookie.getName(), cookie.getValue());
        }
      }
    }
    return response;
  }

  static String csrf(HttpResponse<String> page) {
    Matcher m = CSRF.matcher(page.body());
    if (!m.find()) {
      throw new AssertionError("no CSRF token on the page: " + page.body());
    }
    return m.group(1);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
