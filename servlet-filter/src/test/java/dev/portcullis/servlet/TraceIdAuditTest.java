package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request's W3C {@code traceparent} trace id in its audit events, through the real filter on Jetty. */
class TraceIdAuditTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  private static AuditEvent reportView(LoginPortal portal, String id) throws Exception {
    return portal
        .flushedSink()
        .assertOnce(
            AuditEventType.of("report_view"), e -> e.resource().orElse("").equals(id));
  }

  @Test
  void requestWithTraceparent_isAuditedWithItsTraceId() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      alice.send(HttpRequest.newBuilder(alice.uri("/reports/riverside/41"))
          .header("traceparent", TRACEPARENT));
      alice.get("/reports/riverside/42");

      assertThat(reportView(portal, "41").traceId()).contains(TRACE_ID);
      assertThat(reportView(portal, "42").traceId()).isEmpty();
    }
  }

  @Test
  void loginWithTraceparent_isAuditedWithItsTraceId() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser bob = portal.browser();
      bob.openLoginPage();
      bob.send(HttpRequest.newBuilder(bob.uri("/login"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .header("traceparent", TRACEPARENT)
          .POST(HttpRequest.BodyPublishers.ofString(
              "username=bob&password=bob-pw&_csrf=" + bob.csrf)));

      AuditEvent login = portal
          .flushedSink()
          .assertOnce(AuditEventType.AUTHN_LOGIN_SUCCESS, e -> e.actor().isPresent());
      assertThat(login.traceId()).contains(TRACE_ID);
    }
  }

  @Test
  void malformedTraceparent_isIgnored() throws Exception {
    List<String> malformed = List.of(
        "01-" + TRACE_ID + "-00f067aa0ba902b7-01", // unknown version
        "00-" + TRACE_ID.toUpperCase(java.util.Locale.ROOT) + "-00f067aa0ba902b7-01",
        "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01", // invalid trace id
        "00-" + TRACE_ID + "-0000000000000000-01", // invalid parent id
        "00-" + TRACE_ID + "-00f067aa0ba902b7-1", // short flags
        "00-" + TRACE_ID + "-00f067aa0ba902b7-01-extra",
        "00-" + TRACE_ID.substring(1) + "x-00f067aa0ba902b7-01",
        "00_" + TRACE_ID + "-00f067aa0ba902b7-01",
        "");
    try (LoginPortal portal = new LoginPortal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      for (int i = 0; i < malformed.size(); i++) {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(alice.uri("/reports/riverside/" + (100 + i)));
        if (!malformed.get(i).isEmpty()) {
          request.header("traceparent", malformed.get(i));
        } else {
          // Two valid headers: which one is meant cannot be told.
          request.header("traceparent", TRACEPARENT).header("traceparent", TRACEPARENT);
        }
        assertThat(alice.send(request).statusCode()).isEqualTo(200);
      }
      for (int i = 0; i < malformed.size(); i++) {
        assertThat(reportView(portal, Integer.toString(100 + i)).traceId())
            .as(malformed.get(i))
            .isEmpty();
      }
    }
  }
}
