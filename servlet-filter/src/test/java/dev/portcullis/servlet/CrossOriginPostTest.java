package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.transport.TransportConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: a state-changing request with a valid CSRF token but a foreign {@code Origin} (or {@code Sec-Fetch-Site:
 * cross-site}) was accepted, the token being the only check. The CSRF stage now refuses a request the browser marks
 * as cross-origin before it looks at the token; through the real filter on a real Jetty, over HTTP on loopback.
 */
class CrossOriginPostTest {
  private static final String TRUSTED = "https://forms.example";
  private static final Pattern CSRF = Pattern.compile("csrf=([A-Za-z0-9_-]{43})");

  private LoginPortal portal;

  @AfterEach
  void stop() throws Exception {
    if (portal != null) {
      portal.close();
    }
  }

  private void start() throws Exception {
    portal = new LoginPortal((p, filter) -> filter.trustedOrigins(TRUSTED));
  }

  /** The portal's own origin as a browser writes it: the base URI, {@code http://127.0.0.1:port}. */
  private String ownOrigin() {
    return portal.base;
  }

  private static HttpResponse<String> post(
      Browser b, String path, Map<String, String> fields, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(b.uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(Browser.form(fields)));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return b.send(request);
  }

  private static Map<String, String> loginForm(Browser b) throws Exception {
    b.openLoginPage();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "alice");
    form.put("password", "alice-pw");
    form.put("_csrf", b.csrf);
    return form;
  }

  private void assertRefusedFor(String reason) throws InterruptedException {
    AuditEvent e = portal.flushedSink().assertOnce(AuditEventType.CSRF_FAIL);
    assertThat(e.reason()).hasValue(reason);
  }

  @Test
  void logout_withAValidToken_fromAForeignOrigin_isRefused_andTheUserStaysLoggedIn()
      throws Exception {
    start();
    Browser b = portal.browser();
    assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);

    HttpResponse<String> r =
        post(b, "/logout", Map.of("_csrf", b.pageCsrf()), "Origin", "https://evil.example");

    assertThat(r.statusCode()).as("a foreign Origin, whatever the token").isEqualTo(403);
    assertThat(r.body()).startsWith(CsrfStage.REFUSED);
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertRefusedFor(
        "cross-origin request (Origin: https://evil.example, expected " + ownOrigin() + ")");
  }

  @Test
  void login_withAValidToken_fromAForeignOrigin_isRefused() throws Exception {
    start();
    Browser b = portal.browser();

    HttpResponse<String> r = post(b, "/login", loginForm(b), "Origin", "https://evil.example");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("anonymous");
    portal.flushedSink().assertNone(AuditEventType.AUTHN_LOGIN_SUCCESS);
  }

  @Test
  void login_withAValidToken_markedCrossSite_isRefused_evenWithTheOwnOrigin() throws Exception {
    start();
    Browser b = portal.browser();

    HttpResponse<String> r =
        post(b, "/login", loginForm(b), "Sec-Fetch-Site", "cross-site", "Origin", ownOrigin());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("anonymous");
    assertRefusedFor("cross-site request (Sec-Fetch-Site: cross-site)");
  }

  @Test
  void logout_markedSameSite_isRefused_asASiblingOriginIsNotTheOwn() throws Exception {
    start();
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);

    HttpResponse<String> r =
        post(b, "/logout", Map.of("_csrf", b.pageCsrf()), "Sec-Fetch-Site", "same-site");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("u-alice");
    assertRefusedFor("cross-site request (Sec-Fetch-Site: same-site)");
  }

  @Test
  void originNull_andAnOriginWithAPath_areCrossOrigin() throws Exception {
    start();
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);

    assertThat(
            post(b, "/action", Map.of("_csrf", b.pageCsrf()), "Origin", "null").statusCode())
        .isEqualTo(403);
    assertThat(post(b, "/action", Map.of("_csrf", b.pageCsrf()), "Origin", ownOrigin() + "/x")
            .statusCode())
        .isEqualTo(403);
    assertThat(portal.flushedSink().events())
        .filteredOn(e -> e.type().equals(AuditEventType.CSRF_FAIL))
        .extracting(e -> e.reason().orElse(""))
        .containsExactly(
            "cross-origin request (Origin: null)", "cross-origin request (Origin not understood)");
  }

  @Test
  void sameOrigin_login_andLogout_areAccepted() throws Exception {
    start();
    Browser b = portal.browser();

    HttpResponse<String> in =
        post(b, "/login", loginForm(b), "Sec-Fetch-Site", "same-origin", "Origin", ownOrigin());
    assertThat(in.statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");

    // An older browser: Origin alone, the request's own.
    HttpResponse<String> out =
        post(b, "/logout", Map.of("_csrf", b.pageCsrf()), "Origin", ownOrigin());
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("anonymous");
    portal.flushedSink().assertNone(AuditEventType.CSRF_FAIL);
  }

  @Test
  void aTrustedOrigin_isAccepted_evenMarkedCrossSite_butStillNeedsTheToken() throws Exception {
    start();
    Browser b = portal.browser();

    Map<String, String> noToken = loginForm(b);
    noToken.remove("_csrf");
    HttpResponse<String> refused =
        post(b, "/login", noToken, "Sec-Fetch-Site", "cross-site", "Origin", TRUSTED);
    assertThat(refused.statusCode()).as("the token is still required").isEqualTo(403);
    assertRefusedFor("no CSRF token");

    HttpResponse<String> in =
        post(b, "/login", loginForm(b), "Sec-Fetch-Site", "cross-site", "Origin", TRUSTED);
    assertThat(in.statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
    HttpResponse<String> out = post(b, "/logout", Map.of("_csrf", b.pageCsrf()), "Origin", TRUSTED);
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("anonymous");
  }

  @Test
  void withoutOriginOrSecFetchSite_theTokenDecides_asBefore() throws Exception {
    start();
    Browser b = portal.browser();
    assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    assertThat(b.logout().statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("anonymous");
    portal.flushedSink().assertNone(AuditEventType.CSRF_FAIL);
  }

  @Test
  void behindATrustedProxy_theBrowsersHttpsOrigin_isTheRequestsOwn() throws Exception {
    // The container sees plain HTTP from the proxy; Portcullis believes the proxy's
    // X-Forwarded-Proto, and so does the origin check. The Host header names the container's port.
    portal = new LoginPortal((p, filter) -> filter.transport(TransportConfig.builder()
        .trustedProxies("127.0.0.1")
        .canonicalHost("portal.example")
        .build()));
    String host = portal.base.substring("http://".length());
    Browser b = portal.browser();
    String token = csrf(b.send(HttpRequest.newBuilder(b.uri("/login"))
            .header("X-Forwarded-Proto", "https")
            .GET())
        .body());
    Map<String, String> form = Map.of("username", "alice", "password", "alice-pw", "_csrf", token);

    HttpResponse<String> in =
        post(b, "/login", form, "X-Forwarded-Proto", "https", "Origin", "https://" + host);
    assertThat(in.statusCode()).isEqualTo(303);
    String page = b.send(HttpRequest.newBuilder(b.uri("/whoami"))
            .header("X-Forwarded-Proto", "https")
            .GET())
        .body();
    assertThat(page).startsWith("u-alice");
    HttpResponse<String> refused = post(
        b,
        "/logout",
        Map.of("_csrf", csrf(page)),
        "X-Forwarded-Proto",
        "https",
        "Origin",
        "http://" + host);
    assertThat(refused.statusCode()).as("plain HTTP is another origin").isEqualTo(403);
    assertRefusedFor(
        "cross-origin request (Origin: http://" + host + ", expected https://" + host + ")");
  }

  /**
   * Behind a TLS-terminating proxy that passes the browser's {@code Host} on as it came, without a port (HTTPS's
   * default), the request's own origin is {@code https://host}: the browser's {@code Origin} for that host passes and
   * the token decides; another port or host is refused. A port that is HTTPS's default in the {@code Host} header is
   * the same origin. Sent on a raw socket, as the JDK's HTTP client cannot set {@code Host}. The canonical host is
   * another name, so that its trusted origin does not decide instead.
   */
  @Test
  void behindATrustedProxy_aHostWithoutAPort_isTheOwnOrigin_andAnotherPortOrHostIsNot()
      throws Exception {
    portal = new LoginPortal((p, filter) -> filter.transport(TransportConfig.builder()
        .trustedProxies("127.0.0.1")
        .canonicalHost("canonical.example")
        .build()));
    Browser b = portal.browser();
    String loginToken = csrf(b.send(HttpRequest.newBuilder(b.uri("/login"))
            .header("X-Forwarded-Proto", "https")
            .GET())
        .body());
    Map<String, String> form =
        Map.of("username", "alice", "password", "alice-pw", "_csrf", loginToken);
    assertThat(post(b, "/login", form, "X-Forwarded-Proto", "https").statusCode())
        .isEqualTo(303);
    String token = csrf(b.send(HttpRequest.newBuilder(b.uri("/whoami"))
            .header("X-Forwarded-Proto", "https")
            .GET())
        .body());
    String valid = Browser.form(Map.of("_csrf", token));

    RawResponse sameOrigin = rawPost("portal.example", "https://portal.example", b, valid);
    assertThat(sameOrigin.status()).as(sameOrigin.text()).isEqualTo(200);
    assertThat(sameOrigin.text()).contains("u-alice");
    RawResponse defaultPort = rawPost("portal.example:443", "https://portal.example", b, valid);
    assertThat(defaultPort.status()).as(defaultPort.text()).isEqualTo(200);
    portal.flushedSink().assertNone(AuditEventType.CSRF_FAIL);

    RawResponse wrongToken = rawPost(
        "portal.example", "https://portal.example", b, Browser.form(Map.of("_csrf", "x" + token)));
    assertThat(wrongToken.status()).as("the token decides").isEqualTo(403);
    assertThat(portal.flushedSink().assertOnce(AuditEventType.CSRF_FAIL).reason())
        .hasValueSatisfying(r -> assertThat(r).doesNotContain("cross-origin"));

    RawResponse otherPort = rawPost("portal.example", "https://portal.example:8443", b, valid);
    RawResponse otherHost = rawPost("portal.example", "https://evil.example", b, valid);
    RawResponse plainHttp = rawPost("portal.example", "http://portal.example", b, valid);
    assertThat(List.of(otherPort.status(), otherHost.status(), plainHttp.status()))
        .containsExactly(403, 403, 403);
    assertThat(portal.flushedSink().events().stream()
            .filter(e -> e.type().equals(AuditEventType.CSRF_FAIL))
            .skip(1)
            .map(e -> e.reason().orElse("")))
        .containsExactly(
            "cross-origin request (Origin: https://portal.example:8443, expected"
                + " https://portal.example)",
            "cross-origin request (Origin: https://evil.example, expected https://portal.example)",
            "cross-origin request (Origin: http://portal.example, expected https://portal.example)");
  }

  /** The status code and the whole response as text. */
  private record RawResponse(int status, String text) {}

  /**
   * A {@code POST} of {@code body} to {@code /whoami} (a page, so a request that passes answers 200 with the user)
   * with {@code b}'s cookies, as the trusted proxy sends it: one HTTP/1.1 exchange on a socket to the portal.
   */
  private RawResponse rawPost(String host, String origin, Browser b, String body)
      throws IOException {
    URI base = URI.create(portal.base);
    StringBuilder cookies = new StringBuilder();
    b.cookies()
        .forEach((name, value) -> cookies
            .append(cookies.length() == 0 ? "" : "; ")
            .append(name)
            .append('=')
            .append(value));
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("POST /whoami HTTP/1.1\r\n");
    for (String h : List.of(
        "Host: " + host,
        "X-Forwarded-Proto: https",
        "Origin: " + origin,
        "Cookie: " + cookies,
        "Content-Type: application/x-www-form-urlencoded",
        "Content-Length: " + content.length,
        "Connection: close")) {
      head.append(h).append("\r\n");
    }
    head.append("\r\n");
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String[] statusLine = text.substring(0, Math.max(0, text.indexOf("\r\n"))).split(" ");
      assertThat(statusLine).as(text).hasSizeGreaterThan(1);
      return new RawResponse(Integer.parseInt(statusLine[1]), text);
    }
  }

  private static String csrf(String page) {
    return Browser.csrfToken(CSRF, page).orElseThrow();
  }

  @Test
  void aTrustedOriginThatIsNotAnHttpsOrigin_isRefusedAtStart() {
    for (String bad : new String[] {
      "https://*.example",
      "https://forms.example/",
      "https://forms.example/path",
      "http://forms.example",
      "forms.example",
      "https://user@forms.example",
      "https://forms.example:0"
    }) {
      assertThatThrownBy(() -> new LoginPortal((p, filter) -> filter.trustedOrigins(bad)))
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the trusted origin '" + bad + "'");
    }
  }

  @Test
  void aTrustedOriginWithoutLogin_isRefusedAtStart() {
    assertThatThrownBy(() -> PortcullisFilter.builder().trustedOrigins(TRUSTED).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trusted origins need login");
  }
}
