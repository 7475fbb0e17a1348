package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.testing.CapturedStderr;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.transport.TransportConfig;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The audit log's SLF4J line on a backend that does not take logging events (slf4j-simple, as the example portal
 * uses): whatever a request path holds, the line reads as one field per key. SLF4J writes such a backend's
 * key-values into the line as {@code key=value}; they went unquoted, so a logged-in user who asked for an audited
 * action's path with encoded spaces and {@code =} (the resource is the decoded path variable) added fields of their
 * choosing, such as {@code outcome=success user=u-carol}, to the line a log parser reads.
 */
class AuditLogLineFieldsTest {
  private final SecureRandom random = new SecureRandom();
  private final MutableClock clock = MutableClock.startingAt2026();
  private final AuditLog audit = AuditLog.builder()
      .clock(clock)
      .random(random)
      .auditSink(AuditSink.slf4j())
      .build();
  private TestJetty jetty;
  private Portcullis portcullis;

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.close();
    }
    if (portcullis != null) {
      portcullis.close();
    }
    audit.close();
  }

  @Test
  void aPathWithSpacesAndEquals_addsNoFieldToTheSlf4jAuditLine() throws Exception {
    portcullis = Portcullis.builder()
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build())
        .users(LoginPortal.alice())
        .termsVersion(LoginPortal.TERMS)
        .clock(clock)
        .random(random)
        .auditLog(audit)
        .auditRules(AuditRules.builder().action("/reports/{id}", "report_view").build())
        .transport(TransportConfig.builder().developmentMode(true).build())
        .build();
    jetty = TestJetty.builder().open();
    portcullis.register(jetty.context("/").servlet(new Page()).handler().getServletContext());
    jetty.start();
    Browser browser = new Browser(jetty.baseUri().toString());
    assertThat(browser.login("alice", "alice-pw", true).statusCode()).isEqualTo(303);
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();

    String logged = CapturedStderr.during(() -> {
      HttpResponse<String> r =
          browser.get("/reports/7%20outcome=failure%20user=u-carol%20type=authn_login_fail");
      assertThat(r.statusCode()).isEqualTo(200);
      jetty.awaitIdle(Duration.ofSeconds(10));
      assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    });

    List<String> lines = logged
        .lines()
        .filter(l -> l.contains(" " + AuditSink.LOGGER_NAME + " "))
        .toList();
    assertThat(lines).as("the audit lines of %s", logged).hasSize(1);
    List<Map.Entry<String, String>> fields = logfmt(lines.get(0));
    assertThat(fields)
        .as("fields of %s", lines.get(0))
        .filteredOn(f -> f.getKey().equals("type"))
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.getValue()).isEqualTo("report_view"));
    assertThat(fields)
        .filteredOn(f -> f.getKey().equals("outcome"))
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.getValue()).isEqualTo("success"));
    assertThat(fields)
        .filteredOn(f -> f.getKey().equals("user"))
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.getValue()).isEqualTo("u-alice"));
    assertThat(fields)
        .filteredOn(f -> f.getKey().equals("resource"))
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.getValue())
            .isEqualTo("7 outcome=failure user=u-carol type=authn_login_fail"));
  }

  /**
   * The {@code key=value} fields of a line as a logfmt reader sees them: a value is a quoted string (with backslash
   * escapes) or runs to the next space. Text before the first field (time, thread, level, logger) is skipped.
   */
  private static List<Map.Entry<String, String>> logfmt(String line) {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    int i = line.indexOf(" - ");
    i = i < 0 ? 0 : i + 3;
    while (i < line.length()) {
      while (i < line.length() && line.charAt(i) == ' ') {
        i++;
      }
      int eq = line.indexOf('=', i);
      int space = line.indexOf(' ', i);
      if (eq < 0 || (space >= 0 && space < eq)) {
        i = space < 0 ? line.length() : space + 1;
        continue;
      }
      String key = line.substring(i, eq);
      StringBuilder value = new StringBuilder();
      i = eq + 1;
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (i < line.length() && line.charAt(i) != '"') {
          if (line.charAt(i) == '\\' && i + 1 < line.length()) {
            i++;
          }
          value.append(line.charAt(i++));
        }
        i++;
      } else {
        while (i < line.length() && line.charAt(i) != ' ') {
          value.append(line.charAt(i++));
        }
      }
      fields.add(Map.entry(key, value.toString()));
    }
    return fields;
  }

  private static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=utf-8");
      Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
      resp.getWriter().print("page csrf=" + csrf);
    }
  }
}
