package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.CapturingLogger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal's promise: searches are logged anonymously. A logged-in user's search, with their own e-mail address,
 * phone number and name typed into the box, leaves no trace of who they are in the demand log.
 */
class AnonymityTest {
  private static final String EMAIL = "jane.doe@example.org";
  private static final String PHONE = "07700 900123";
  private static final String SESSION_ID = "q0C9xJ3mZ7yS2bVw8KfLrT5nPdHa1GjE4uYoXiWcBvN";
  private static final String USER_HANDLE = "u-5f3a9c";
  private static final String ORGANISATION = "org-leeds-17";
  private static final String ADDRESS = "203.0.113.77";
  private static final String QUERY =
      "Jane Doe " + EMAIL + " " + PHONE + " care homes near LS1 1AA";

  @TempDir
  Path dir;

  @Test
  void searchByALoggedInUser_leavesNoTraceOfThemInTheDemandLog() throws IOException {
    Path auditFile = dir.resolve("audit.jsonl");
    Path demandFile = dir.resolve("search-demand.jsonl");
    CapturingLogger auditLogger = new CapturingLogger(AuditSink.LOGGER_NAME);
    CapturingLogger demandLogger = new CapturingLogger(SearchDemandSink.LOGGER_NAME);
    String simpleOutput;
    AuditLog log = Fixtures.log()
        .auditSink(AuditSink.jsonLines(auditFile))
        .auditSink(AuditSink.slf4j(auditLogger))
        .demandSink(SearchDemandSink.jsonLines(demandFile))
        .demandSink(SearchDemandSink.slf4j(demandLogger))
        .demandSink(SearchDemandSink.slf4j())
        .build();
    simpleOutput = Fixtures.capturingStderr(() -> {
      // The request is identified; the audit channel may say so. The search itself must not.
      log.emit(log.event(AuditEventType.of("access_granted"))
          .actor(AuditEvent.Actor.of(USER_HANDLE, ORGANISATION))
          .session(Fixtures.correlationKey().sessionRef(SESSION_ID))
          .resource("/providers/search")
          .clientAddress(ADDRESS)
          .build());
      log.searched("/providers/search", QUERY, 12);
      log.close();
    });

    String demandJson = Files.readString(demandFile);
    String demandSlf4j = demandLogger.output();
    String demandSimple = simpleOutput
        .lines()
        .filter(l -> l.contains(SearchDemandSink.LOGGER_NAME))
        .reduce("", (a, b) -> a + b + "\n");
    assertThat(demandSimple).as("slf4j-simple wrote the demand line").contains("terms=");

    for (String output : List.of(demandJson, demandSlf4j, demandSimple)) {
      assertThat(output)
          .doesNotContain(EMAIL)
          .doesNotContain("jane.doe")
          .doesNotContain("example.org")
          .doesNotContain("07700")
          .doesNotContain("900123")
          .doesNotContain(SESSION_ID)
          .doesNotContain(Fixtures.correlationKey().sessionRef(SESSION_ID).value())
          .doesNotContain(USER_HANDLE)
          .doesNotContain(ORGANISATION)
          .doesNotContain(ADDRESS)
          .doesNotContain("10:17"); // the exact time
    }

    JsonNode demand = Fixtures.JSON.readTree(demandJson);
    assertThat(demand.get("terms").asText())
        .isEqualTo("jane doe [email] [phone] care homes near [postcode]");
    assertThat(demand.get("searches").asInt()).isEqualTo(1);
    assertThat(demand.get("without_results").asInt()).isZero();
    assertThat(demand.get("bucket_start").asText()).isEqualTo("2026-03-04T10:00:00Z");
    assertThat(fieldNames(demand))
        .containsExactlyInAnyOrder(
            "kind", "bucket_start", "bucket", "endpoint", "terms", "searches", "without_results");
    assertThat(demandSlf4j).doesNotContain("jane.doe").contains("[phone]");

    // The negative case: the same identifiers do reach the identified audit log, so the checks
    // above could fail.
    String audit = Files.readString(auditFile);
    assertThat(audit)
        .contains(USER_HANDLE)
        .contains(ADDRESS)
        .doesNotContain(SESSION_ID)
        .doesNotContain("care homes");
    assertThat(auditLogger.output()).contains(USER_HANDLE);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
