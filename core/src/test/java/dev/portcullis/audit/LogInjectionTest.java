package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.CapturingLogger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.KeyValuePair;

/** A user name, path or query with CR, LF or ANSI escapes can't forge or hide a log line in any sink. */
class LogInjectionTest {
  private static final String FORGED_HANDLE =
      "u-1\r\n2026-03-04 INFO portcullis.audit - type=\"authn_login_success\" user=\"admin\"\u001b[2K\u001b[1A";
  private static final String FORGED_RESOURCE = "/reports/1\n\u001b]0;pwned\u0007\u2028\u0085x";
  private static final String FORGED_REASON = "cookie refused\r\nsecond line\u001b[31m";
  private static final String FORGED_QUERY = "care\r\nhomes\u001b[2J\u001b[H fake=1\n";

  @TempDir
  Path dir;

  private static void assertOneCleanLine(String output) {
    assertThat(output.split("\n", -1))
        .as("exactly one line, ending in a newline")
        .hasSize(2);
    assertThat(output.substring(0, output.length() - 1).chars())
        .as("no CR, LF, ESC, BEL, NEL or line separator in %s", output)
        .noneMatch(
            c -> c == '\r' || c == '\n' || c == 0x1b || c == 0x07 || c == 0x85 || c == 0x2028);
  }

  private AuditEvent hostileEvent(AuditLog log) {
    return log.event(AuditEventType.AUTHN_LOGIN_FAIL)
        .actor(AuditEvent.Actor.of(FORGED_HANDLE, null))
        .resource(FORGED_RESOURCE)
        .failure(FORGED_REASON)
        .build();
  }

  @Test
  void hostileFields_giveExactlyOneEscapedLine_inEverySink() throws IOException {
    Path plain = dir.resolve("audit.jsonl");
    Path chained = dir.resolve("audit-chained.jsonl");
    Path demandFile = dir.resolve("search-demand.jsonl");
    CapturingLogger auditLogger = new CapturingLogger(AuditSink.LOGGER_NAME);
    CapturingLogger demandLogger = new CapturingLogger(SearchDemandSink.LOGGER_NAME);
    AuditLog log = Fixtures.log()
        .auditSink(AuditSink.jsonLines(plain))
        .auditSink(AuditSink.hashChained(chained))
        .auditSink(AuditSink.slf4j(auditLogger))
        .auditSink(AuditSink.slf4j())
        .demandSink(SearchDemandSink.jsonLines(demandFile))
        .demandSink(SearchDemandSink.slf4j(demandLogger))
        .build();
    String simple = Fixtures.capturingStderr(() -> {
      log.emit(hostileEvent(log));
      log.searched("/search", FORGED_QUERY, 0);
      log.close();
    });

    for (Path file : List.of(plain, chained, demandFile)) {
      String content = Files.readString(file, StandardCharsets.UTF_8);
      assertOneCleanLine(content);
    }
    // The capturing logger takes events (as Logback does), so its key-values are raw (checked
    // below) and only its message is a log line; slf4j-simple does not, and its whole line is
    // checked above.
    assertOneCleanLine(auditLogger.events().get(0).message() + "\n");
    assertOneCleanLine(demandLogger.output());
    String simpleAuditLines = simple
        .lines()
        .filter(l -> l.contains(" " + AuditSink.LOGGER_NAME + " "))
        .reduce("", (a, b) -> a + b + "\n");
    assertOneCleanLine(simpleAuditLines);
    assertThat(simple.lines().filter(l -> l.contains("authn_login_success")))
        .hasSize(1); // the escaped forgery only

    // Key-values are raw, for structured encoders to escape once; the message line is the escaped
    // form.
    java.util.Map<String, Object> keyValues = new java.util.HashMap<>();
    for (KeyValuePair kv : auditLogger.events().get(0).keyValues()) {
      keyValues.put(kv.key, kv.value);
    }
    assertThat(keyValues)
        .containsEntry("user", FORGED_HANDLE)
        .containsEntry("resource", FORGED_RESOURCE)
        .containsEntry("reason", FORGED_REASON);
    assertThat(auditLogger.output()).contains("u-1\\r\\n2026-03-04").contains("\\u001b[2K");

    // Escaping loses nothing: a real parser gives back the exact hostile values.
    JsonNode event = Fixtures.parsed(plain).get(0);
    assertThat(event.get("user").asText()).isEqualTo(FORGED_HANDLE);
    assertThat(event.get("resource").asText()).isEqualTo(FORGED_RESOURCE);
    assertThat(event.get("reason").asText()).isEqualTo(FORGED_REASON);
    assertThat(Fixtures.parsed(chained).get(0).get("user").asText()).isEqualTo(FORGED_HANDLE);
    assertThat(AuditChainVerifier.verify(chained).intact()).isTrue();
    assertThat(Fixtures.parsed(demandFile).get(0).get("terms").asText())
        .isEqualTo("care homes 2j h fake 1");
  }
}
