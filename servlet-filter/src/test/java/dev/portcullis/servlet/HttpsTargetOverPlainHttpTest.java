package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A whole portal (the {@link Portcullis} entry point: login, sessions, audit, the default access rule) on a real Jetty
 * with a plain and a TLS connector, attacked with request lines that name an {@code https://} URL (absolute-form
 * targets) over the plain connector, which Jetty 12 reports as {@code isSecure()}: the login page is redirected to
 * HTTPS, the login form is refused before it is read (nobody logs in), and a logged-in user's page is redirected
 * rather than served, while the same requests over TLS work as ever. With {@link
 * TransportConfig.Builder#containerDecidesHttps(boolean)} the container's word is believed, as before.
 */
class HttpsTargetOverPlainHttpTest {
  private static final String TERMS = LoginPortal.TERMS;

  private final SecureRandom random = new SecureRandom();
  private final InstantSource clock = InstantSource.system();
  private final RecordingAuditSink audited = new RecordingAuditSink();
  private TestJetty jetty;
  private Portcullis portcullis;
  private AuditLog audit;
  private Browser browser;

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.close();
    }
    if (portcullis != null) {
      portcullis.close();
    }
    if (audit != null) {
      audit.close();
    }
  }

  /** Starts the portal; plain HTTP is redirected to the TLS connector, on 127.0.0.1. */
  private void start(boolean containerDecidesHttps) throws Exception {
    jetty = TestJetty.builder().https().open();
    audit = AuditLog.builder().clock(clock).random(random).auditSink(audited).build();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    InMemoryUserDirectory users = LoginPortal.alice();
    portcullis = Portcullis.builder()
        .keyRing(ring)
        .users(users)
        .termsVersion(TERMS)
        .clock(clock)
        .random(random)
        .auditLog(audit)
        .transport(TransportConfig.builder()
            .canonicalHost("127.0.0.1")
            .httpsPort(jetty.httpsPort())
            .containerDecidesHttps(containerDecidesHttps)
            .build())
        .build();
    ServletContextHandler context = jetty.context("/").servlet(new Pages()).handler();
    portcullis.register(context.getServletContext());
    jetty.start();
    browser = new Browser(
        jetty.httpsBaseUri().toString(),
        HttpClient.newBuilder()
            .sslContext(jetty.clientTls())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build());
  }

  @Test
  void loginPage_requestedAsAnHttpsUrlOverPlainHttp_isRedirectedToTheCanonicalHttpsUrl()
      throws Exception {
    start(false);

    SecuredPortal.RawResponse r = plain("GET https://localhost/login", "");

    assertThat(r.status()).isEqualTo(308);
    assertThat(r.headers().get("location"))
        .isEqualTo("https://127.0.0.1:" + jetty.httpsPort() + "/login");
    assertThat(r.body()).doesNotContain("login page");
    assertThat(r.headers()).doesNotContainKeys("set-cookie", "strict-transport-security");
  }

  @Test
  void loginForm_postedToAnHttpsUrlOverPlainHttp_isRefusedUnread_andNobodyLogsIn()
      throws Exception {
    start(false);
    browser.openLoginPage(); // over TLS: the CSRF token and the cookie-check cookie
    String form = AliceLogin.login(browser.csrf);

    SecuredPortal.RawResponse refused = plain(
        "POST https://localhost/login",
        "Cookie: " + browser.cookieHeader() + "\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: " + form.length() + "\r\n",
        form);

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body()).isEqualTo("This portal only accepts HTTPS.\n");
    assertThat(refused.headers().get("connection")).isEqualTo("close");
    assertThat(refused.headers()).doesNotContainKeys("set-cookie", "location");
    audit.flush(Duration.ofSeconds(10));
    audited.assertNone(AuditEventType.AUTHN_LOGIN_SUCCESS);
    audited.assertNone(AuditEventType.AUTHN_LOGIN_FAIL);

    // The control: the same form over TLS logs alice in.
    HttpResponse<String> overTls = browser.post("/login", AliceLogin.fields(browser.csrf));
    assertThat(overTls.statusCode()).isEqualTo(303);
    assertThat(browser.cookies()).containsKey("__Host-portcullis-auth");
    audit.flush(Duration.ofSeconds(10));
    audited.assertOnce(AuditEventType.AUTHN_LOGIN_SUCCESS);
  }

  @Test
  void loggedInUsersPage_requestedAsAnHttpsUrlOverPlainHttp_isRedirected_notServed()
      throws Exception {
    start(false);
    assertThat(browser.login("alice", "alice-pw", true).statusCode()).isEqualTo(303);
    assertThat(browser.get("/reports/101").body()).isEqualTo("page /reports/101 u-alice");

    SecuredPortal.RawResponse r =
        plain("GET https://localhost/reports/101", "Cookie: " + browser.cookieHeader() + "\r\n");

    assertThat(r.status()).isEqualTo(308);
    assertThat(r.headers().get("location"))
        .isEqualTo("https://127.0.0.1:" + jetty.httpsPort() + "/reports/101");
    assertThat(r.body()).doesNotContain("page /reports/101");
  }

  @Test
  void containerDecidesHttps_servesAnHttpsUrlOverPlainHttp_asTheContainerSaysItIsHttps()
      throws Exception {
    start(true);

    SecuredPortal.RawResponse r = plain("GET https://localhost/login", "");
    SecuredPortal.RawResponse originForm = plain("GET /login", "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("login page csrf=");
    assertThat(originForm.status()).isEqualTo(308);
  }

  /**
   * Sends {@code requestLine} with {@code headers} (each ending in CRLF; a {@code Host: localhost} is added) and
   * {@code body} to the plain connector on a raw socket, as no HTTP client sends an absolute-form target.
   */
  private SecuredPortal.RawResponse plain(String requestLine, String headers, String... body)
      throws IOException {
    String request = requestLine + " HTTP/1.1\r\nHost: localhost\r\n" + headers
        + "Connection: close\r\n\r\n" + String.join("", body);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), jetty.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return SecuredPortal.parse(socket.getInputStream().readAllBytes());
    }
  }

  /** Alice's login form, terms accepted. */
  private static final class AliceLogin {
    static Map<String, String> fields(String csrf) {
      Map<String, String> form = new LinkedHashMap<>();
      form.put("username", "alice");
      form.put("password", "alice-pw");
      form.put("acceptTerms", "yes");
      form.put("_csrf", csrf);
      return form;
    }

    static String login(String csrf) {
      return Browser.form(fields(csrf));
    }

    private AliceLogin() {}
  }

  /** {@code /login} shows the CSRF token as the test browser expects; other pages their path and user. */
  private static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      String path = req.getRequestURI();
      if (path.equals("/login")) {
        resp.getWriter()
            .print("login page csrf=" + req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE));
      } else {
        resp.getWriter()
            .print("page " + path + " "
                + (req.getUserPrincipal() == null
                    ? "anonymous"
                    : req.getUserPrincipal().getName()));
      }
    }
  }
}
