package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * With slf4j-simple, the backend the README suggests first, an audit event and an hour of search demand are each one
 * line that holds every field once: SLF4J writes the key-values of a backend that takes no logging events into the
 * text, so they must not be added beside a message that already holds them.
 */
class Slf4jSimpleAuditLineTest {
  private static final Pattern FIELD = Pattern.compile("(?:^|\\s)([a-z_]+)=\"");

  @Test
  void slf4jSimple_writesEachFieldOfAnEventOnce() {
    AuditLog log = Fixtures.log()
        .auditSink(AuditSink.slf4j())
        .demandSink(SearchDemandSink.slf4j())
        .build();
    String simple = Fixtures.capturingStderr(() -> {
      log.emit(log.event(AuditEventType.AUTHN_LOGIN_FAIL)
          .actor(AuditEvent.Actor.of("u-1", "riverside"))
          .resource("/login")
          .failure("BAD_CREDENTIALS")
          .build());
      log.searched("/search", "care homes", 0);
      log.close();
    });

    String audit = onlyLine(simple, " " + AuditSink.LOGGER_NAME + " - ");
    assertThat(fieldNames(audit))
        .as("every field once in %s", audit)
        .doesNotHaveDuplicates()
        .contains("kind", "id", "time", "type", "outcome", "user", "resource", "reason");
    assertThat(audit).contains("kind=\"audit\"", "reason=\"BAD_CREDENTIALS\"");
    String demand = onlyLine(simple, " " + SearchDemandSink.LOGGER_NAME + " - ");
    assertThat(fieldNames(demand))
        .as("every field once in %s", demand)
        .doesNotHaveDuplicates()
        .contains("kind", "terms");
  }

  private static String onlyLine(String output, String logger) {
    List<String> lines = output.lines().filter(l -> l.contains(logger)).toList();
    assertThat(lines).as("lines of %s in %s", logger, output).hasSize(1);
    return lines.get(0);
  }

  private static List<String> fieldNames(String line) {
    Matcher m = FIELD.matcher(line);
    List<String> names = new java.util.ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
