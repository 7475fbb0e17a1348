package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.RecordingAuditSink;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The starter in a Spring MVC application with Spring Security, on embedded Tomcat over real HTTP: login, a
 * {@code @PreAuthorize} page, logout, audit, and how Tomcat hands cookies to Portcullis.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.audit.actions[0].pattern=/reports/{id}",
      "portcullis.audit.actions[0].action=report_view"
    })
class PortalOverHttpTest {
  private static final String SID = SessionConfig.DEFAULT_COOKIE_NAME;
  private static final String AUTH = LoginCookies.DEFAULT_AUTH_COOKIE;

  @LocalServerPort
  int port;

  @Autowired
  AuditSink sink;

  @Autowired
  AuditLog audit;

  private Browser browser() {
    return new Browser("http://127.0.0.1:" + port);
  }

  private RecordingAuditSink flushed() throws InterruptedException {
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    return (RecordingAuditSink) sink;
  }

  private long count(AuditEventType type, Predicate<AuditEvent> fields)
      throws InterruptedException {
    return flushed().events().stream()
        .filter(e -> e.type().equals(type))
        .filter(fields)
        .count();
  }

  /**
   * Waits until exactly one more event of {@code type} matching {@code fields} than {@code before} has been
   * recorded: the filter records an action after the application's answer, which the client may have read already.
   */
  private void awaitOneMore(long before, AuditEventType type, Predicate<AuditEvent> fields)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long now;
    while ((now = count(type, fields)) == before && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(now).as("%s events, recorded: %s", type, flushed().events()).isEqualTo(before + 1);
  }

  private static boolean by(AuditEvent e, String user) {
    return e.actor().map(AuditEvent.Actor::userHandle).orElse("").equals(user);
  }

  @Test
  void loginPage_setsTheCookieCheckCookie_startsNoSession_andShowsACsrfToken() throws Exception {
    Browser b = browser();
    HttpResponse<String> page = b.get("/login");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(Browser.csrfIn(page.body())).hasSize(43);
    // An anonymous visit to the login page costs the server nothing to keep: the form token is
    // bound to the cookie-check cookie, not to a session.
    assertThat(b.cookies()).containsOnlyKeys(LoginCookies.DEFAULT_COOKIE_CHECK_COOKIE);
    assertThat(b.setCookieHeaders())
        .allSatisfy(c -> assertThat(c)
            .contains("Secure")
            .contains("HttpOnly")
            .contains("SameSite=Lax")
            .contains("Path=/"));
  }

  /**
   * A browser that blocks cookies gets the filter's plain page on its login, not Spring Boot's error page or a
   * redirect: no cookie kept, and it stays anonymous.
   */
  @Test
  void browserThatBlocksCookies_isToldItCannotLogIn_andStaysAnonymous() throws Exception {
    long before = count(
        AuditEventType.AUTHN_LOGIN_FAIL,
        e -> e.reason().filter("browser blocks cookies"::equals).isPresent());
    Browser b = browser();
    b.blockCookies(true);
    HttpResponse<String> login = b.login("carol", "carol-pw");
    assertThat(login.statusCode()).isEqualTo(400);
    assertThat(login.body()).contains("Your browser is blocking cookies, so you cannot log in");
    assertThat(login.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(login.headers().firstValue("Location")).isEmpty();
    assertThat(login.headers().allValues("Set-Cookie")).isEmpty();

    HttpResponse<String> next = b.get("/council");
    assertThat(next.statusCode()).isEqualTo(303);
    assertThat(next.headers().firstValue("Location")).hasValue("/login?returnTo=%2Fcouncil");
    assertThat(b.cookies()).isEmpty();
    awaitOneMore(
        before,
        AuditEventType.AUTHN_LOGIN_FAIL,
        e -> e.reason().filter("browser blocks cookies"::equals).isPresent());
  }

  @Test
  void councilOfficer_logsIn_andReachesThePreAuthorizedPage_asAPortalPrincipal() throws Exception {
    Predicate<AuditEvent> carolsLogin = e -> by(e, "u-carol");
    long before = count(AuditEventType.AUTHN_LOGIN_SUCCESS, carolsLogin);
    Browser carol = browser();
    HttpResponse<String> login = carol.login("carol", "carol-pw");
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(carol.cookies()).containsKeys(SID, AUTH);
    assertThat(carol.get("/whoami").body()).startsWith("u-carol csrf=");
    HttpResponse<String> council = carol.get("/council");
    assertThat(council.statusCode()).isEqualTo(200);
    assertThat(council.body()).isEqualTo("council page for Carol Clark");
    awaitOneMore(before, AuditEventType.AUTHN_LOGIN_SUCCESS, carolsLogin);
  }

  @Test
  void
      providerWithoutTheRole_isForbiddenThePreAuthorizedPage_andStaysLoggedInAfterTheErrorDispatch()
          throws Exception {
    Browser alice = browser();
    alice.login("alice", "alice-pw");
    String sid = alice.cookies().get(SID);
    HttpResponse<String> council = alice.get("/council");
    assertThat(council.statusCode()).isEqualTo(403);
    assertThat(council.body()).doesNotContain("council page");
    // The error page ran in an ERROR dispatch of the same request: Portcullis neither re-ran nor
    // wrote cookies twice.
    List<String> names = council.headers().allValues("Set-Cookie").stream()
        .map(c -> c.substring(0, c.indexOf('=')))
        .toList();
    assertThat(names).doesNotHaveDuplicates();
    assertThat(alice.cookies().get(SID)).isEqualTo(sid);
    assertThat(alice.get("/whoami").body()).startsWith("u-alice ");
  }

  @Test
  void anonymousVisitor_isSentToTheLoginPage() throws Exception {
    HttpResponse<String> r = browser().get("/council");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/login?returnTo=%2Fcouncil");
  }

  @Test
  void logout_endsTheLogin_expiresTheCookies_andTheOldCookiesOpenNothing() throws Exception {
    Predicate<AuditEvent> carolsLogout = e -> by(e, "u-carol");
    long before = count(AuditEventType.LOGOUT, carolsLogout);
    Browser carol = browser();
    carol.login("carol", "carol-pw");
    String oldCookies = carol.cookieHeader();
    HttpResponse<String> out = carol.logout();
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    assertThat(out.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).startsWith(AUTH + "=").contains("Max-Age=0"));
    assertThat(carol.cookies()).doesNotContainKeys(AUTH, SID);
    assertThat(carol.get("/council").statusCode()).isEqualTo(303);
    try (KeepAliveConnection c = new KeepAliveConnection(port)) {
      assertThat(c.get("/council", oldCookies).status()).isEqualTo(303);
    }
    awaitOneMore(before, AuditEventType.LOGOUT, carolsLogout);
  }

  @Test
  void logoutWithoutTheCsrfToken_isRefused() throws Exception {
    Browser carol = browser();
    carol.login("carol", "carol-pw");
    assertThat(carol.post("/logout", java.util.Map.of("_csrf", "x".repeat(43))).statusCode())
        .isEqualTo(403);
    assertThat(carol.get("/whoami").body()).startsWith("u-carol ");
  }

  /**
   * Regression: Spring Boot gives its dispatcher servlet a multipart configuration, so Tomcat parsed a {@code
   * multipart/form-data} body into the servlet parameters the CSRF stage read, and a multipart form's {@code _csrf}
   * part passed the check, which the README says it never does: the token of a multipart form goes in the header.
   */
  @Test
  void multipartForm_withTheTokenInAPart_isRefused_asTheReadmeSays() throws Exception {
    Browser carol = browser();
    carol.login("carol", "carol-pw");
    String token = Browser.csrfIn(carol.get("/whoami").body());
    String boundary = "portcullis-test-boundary";
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n"
        + token + "\r\n--" + boundary + "--\r\n";
    java.net.http.HttpResponse<String> inAPart =
        carol.send(java.net.http.HttpRequest.newBuilder(carol.uri("/logout"))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
    assertThat(inAPart.statusCode()).isEqualTo(403);
    assertThat(carol.get("/whoami").body()).startsWith("u-carol ");

    java.net.http.HttpResponse<String> inTheHeader =
        carol.send(java.net.http.HttpRequest.newBuilder(carol.uri("/logout"))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .header("X-CSRF-Token", token)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
    assertThat(inTheHeader.statusCode()).isEqualTo(303);
    assertThat(carol.get("/whoami").statusCode()).isNotEqualTo(200);
  }

  @Test
  void auditedAction_isRecordedWithTheUserAndOutcome() throws Exception {
    Browser carol = browser();
    carol.login("carol", "carol-pw");
    assertThat(carol.get("/reports/7").body()).isEqualTo("report 7");
    awaitOneMore(
        0,
        AuditEventType.of("report_view"),
        e -> by(e, "u-carol")
            && e.resource().orElse("").equals("7")
            && e.outcome() == AuditEvent.Outcome.SUCCESS);
  }

  @Test
  void tomcat_keepsCookieValuesExactly_onOneKeepAliveConnection() throws Exception {
    Browser carol = browser();
    carol.login("carol", "carol-pw");
    String base = carol.cookieHeader();
    String[] probes = {"probe=AbCd-Ef_g", "probe=abCd-Ef_g", "probe=AbCd_Ef-g", "probe=ABCD-EF_G"};
    try (KeepAliveConnection c = new KeepAliveConnection(port)) {
      for (String probe : probes) {
        KeepAliveConnection.Response r = c.get("/echo-cookie", base + "; " + probe);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(base + "; " + probe);
      }
    }
  }

  @Test
  void sessionIdDifferingOnlyInCase_isAnotherSession_onOneKeepAliveConnection() throws Exception {
    Browser carol = browser();
    carol.login("carol", "carol-pw");
    String sid = carol.cookies().get(SID);
    int at = 0;
    while (!Character.isLetter(sid.charAt(at))) {
      at++;
    }
    char c0 = sid.charAt(at);
    char flipped =
        Character.isUpperCase(c0) ? Character.toLowerCase(c0) : Character.toUpperCase(c0);
    String otherSid = sid.substring(0, at) + flipped + sid.substring(at + 1);
    String real = SID + "=" + sid + "; " + AUTH + "=" + carol.cookies().get(AUTH);
    String changed = SID + "=" + otherSid + "; " + AUTH + "=" + carol.cookies().get(AUTH);
    try (KeepAliveConnection c = new KeepAliveConnection(port)) {
      assertThat(c.get("/whoami", real).body()).startsWith("u-carol ");
      assertThat(c.get("/whoami", changed).status()).isEqualTo(303);
      assertThat(c.get("/whoami", real).body()).startsWith("u-carol ");
    }
  }
}
