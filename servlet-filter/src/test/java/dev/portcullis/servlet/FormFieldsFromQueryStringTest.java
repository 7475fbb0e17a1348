package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A field that proves intent (the CSRF token, the acceptance of the terms) counts only from the form body, or for the
 * token the {@code X-CSRF-Token} header; a copy in the query string is ignored. Otherwise a token that leaked into a
 * URL (a log, a Referer, a shared link) would be as good as the form's, and a link could accept the terms for the
 * user. Over real HTTP on Jetty.
 */
class FormFieldsFromQueryStringTest {
  private LoginPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = new LoginPortal();
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  /** The login form's fields, in order, to add to. */
  private static Map<String, String> loginForm(String username, String password, String csrf) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", username);
    form.put("password", password);
    form.put("_csrf", csrf);
    return form;
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  void csrfTokenInTheQueryString_doesNotLogOut() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    String token = b.pageCsrf();

    HttpResponse<String> viaQuery = b.post("/logout?_csrf=" + q(token), Map.of());
    assertThat(viaQuery.statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("u-alice");
    AuditEvent refused = portal.flushedSink().assertOnce(AuditEventType.CSRF_FAIL);
    assertThat(refused.reason()).contains("no CSRF token");

    // The same token in the body, with a wrong one in the query string, logs out: the body's
    // counts.
    HttpResponse<String> viaBody = b.post("/logout?_csrf=wrong", Map.of("_csrf", token));
    assertThat(viaBody.statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("anonymous");
  }

  @Test
  void csrfTokenInTheQueryString_doesNotPassAnyStateChangingRequest() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    String token = b.pageCsrf();

    assertThat(b.post("/action?_csrf=" + q(token), Map.of()).statusCode()).isEqualTo(403);
    assertThat(b.post("/action?%5Fcsrf=" + q(token), Map.of()).statusCode())
        .as("encoded name")
        .isEqualTo(403);
    assertThat(b.post("/action?_csrf=" + q(token) + "&_csrf=" + q(token), Map.of("x", "1"))
            .statusCode())
        .as("repeated")
        .isEqualTo(403);
    HttpResponse<String> header = b.send(HttpRequest.newBuilder(b.uri("/action"))
        .header("X-CSRF-Token", token)
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(header.statusCode()).as("the header still counts").isEqualTo(200);
    assertThat(header.body()).isEqualTo("done");
    assertThat(b.post("/action", Map.of("_csrf", token)).body())
        .as("the body still counts")
        .isEqualTo("done");
  }

  @Test
  void csrfTokenInTheQueryString_doesNotPassTheLoginForm() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", "alice");
    form.put("password", "alice-pw");

    HttpResponse<String> r = b.post("/login?_csrf=" + q(b.csrf), form);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(b.whoami()).isEqualTo("anonymous");
  }

  /**
   * The credentials count only from the form body: a password in the query string would end up in access logs,
   * proxies' logs and Referer headers, and a query value must not override what the user typed.
   */
  @Test
  void credentialsInTheQueryString_doNotLogIn_andDoNotOverrideTheForm() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();

    HttpResponse<String> viaQuery =
        b.post("/login?username=alice&password=alice-pw", Map.of("_csrf", b.csrf));
    assertThat(viaQuery.statusCode()).isEqualTo(303);
    assertThat(viaQuery.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("error=1"));
    assertThat(b.whoami()).isEqualTo("anonymous");

    b.openLoginPage();
    HttpResponse<String> typed =
        b.post("/login?username=bob&password=wrong", loginForm("alice", "alice-pw", b.csrf));
    assertThat(typed.statusCode()).isEqualTo(303);
    assertThat(typed.headers().firstValue("Location")).contains("/");
    assertThat(b.whoami()).as("what the user typed counts").isEqualTo("u-alice");
  }

  @Test
  void acceptTermsInTheQueryString_doesNotAcceptTheTermsAtLogin() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    Map<String, String> form = loginForm("newbie", "newbie-pw", b.csrf);

    HttpResponse<String> r = b.post("/login?acceptTerms=yes", form);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("error=1"));
    assertThat(b.whoami()).isEqualTo("anonymous");
    AuditEvent refused = portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(refused.reason()).contains("TERMS_NOT_ACCEPTED");
    assertThat(portal.users.findByHandle("u-newbie").orElseThrow().acceptedTermsVersion())
        .isEmpty();

    form.put("acceptTerms", "yes");
    assertThat(b.post("/login?acceptTerms=no", form).statusCode()).isEqualTo(303);
    assertThat(b.whoami()).as("accepted in the body").isEqualTo("u-newbie");
  }

  @Test
  void acceptTermsInTheQueryString_doesNotAcceptTheTermsOnTheTermsPage() throws Exception {
    Browser b = portal.browser();
    b.login("alice", "alice-pw", false);
    portal.users.recordTermsAcceptance("u-alice", "an-older-version");
    String token = csrfOfTermsPage(b);

    HttpResponse<String> viaQuery = b.post("/terms?acceptTerms=yes", Map.of("_csrf", token));
    assertThat(viaQuery.statusCode()).isEqualTo(200);
    assertThat(viaQuery.body()).startsWith("terms page");
    assertThat(portal.users.findByHandle("u-alice").orElseThrow().acceptedTermsVersion())
        .isEqualTo("an-older-version");
    assertThat(b.get("/whoami").statusCode()).as("still held at the terms gate").isEqualTo(303);

    HttpResponse<String> viaBody = b.post("/terms", Map.of("_csrf", token, "acceptTerms", "yes"));
    assertThat(viaBody.statusCode()).isEqualTo(303);
    assertThat(b.whoami()).isEqualTo("u-alice");
  }

  private static String csrfOfTermsPage(Browser b) throws Exception {
    String body = b.get("/terms").body();
    return body.substring(body.indexOf("csrf=") + 5).strip();
  }
}
