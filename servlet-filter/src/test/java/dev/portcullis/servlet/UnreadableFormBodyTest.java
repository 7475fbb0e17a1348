package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A form body the container cannot parse (here a percent sign that starts no escape) gets the filter's plain
 * {@code 400} and an {@code access_denied} event, never the container's error page: Jetty's and Tomcat's name the
 * exception and, in a web application, print its stack trace through the Portcullis stages. Over real HTTP on Jetty.
 */
class UnreadableFormBodyTest {
  private LoginPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = new LoginPortal();
  }

  @AfterEach
  void stop() throws Exception {
    portal.close();
  }

  private static HttpRequest.Builder form(Browser b, String path, String body) {
    return HttpRequest.newBuilder(b.uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private void assertRefusedPlainly(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(response.body().strip()).isEqualTo("Bad request.");
    AuditEvent refused = portal.flushedSink().assertOnce(AuditEventType.ACCESS_DENIED);
    assertThat(refused.reason()).contains("form body could not be read");
  }

  @Test
  void malformedLoginForm_getsAPlainBadRequest_notTheContainersErrorPage() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();
    String token = b.csrf;

    HttpResponse<String> response =
        b.send(form(b, "/login", "username=alice&password=%zz&_csrf=" + token));

    assertRefusedPlainly(response);
    assertThat(b.whoami()).isEqualTo("anonymous");
  }

  @Test
  void malformedForm_withTheTokenInTheHeader_isRefusedWhereTheLoginReadsIt() throws Exception {
    Browser b = portal.browser();
    b.openLoginPage();

    HttpResponse<String> response =
        b.send(form(b, "/login", "username=alice&password=%zz").header("X-CSRF-Token", b.csrf));

    assertRefusedPlainly(response);
    assertThat(b.whoami()).isEqualTo("anonymous");
  }
}
