package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.audit.AuditMetrics;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.CapturingLogger;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack: personal data typed or pasted into the search box (an IP address, an IPv6 address, a phone number
 * written with letters between the digits, a user handle, the searcher's own session id) reached the "anonymous"
 * search-demand log as typed. Through the filter on a real Jetty, each is replaced by a placeholder in every output.
 * The full rule set is pinned by core's {@code SearchRedactionCorpusTest}.
 */
class SearchRedactionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void searchHoldingAddressesPhoneHandleAndAPastedSessionId_reachesEveryOutputWithPlaceholdersOnly()
      throws Exception {
    Path demandFile = dir.resolve("search-demand.jsonl");
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    CapturingLogger demandLogger = new CapturingLogger(SearchDemandSink.LOGGER_NAME);
    SearchDemandSink file = AuditMetrics.counting(SearchDemandSink.jsonLines(demandFile), meters);
    String sessionId;
    String query;
    try (LoginPortal portal = new LoginPortal(
        dev.portcullis.audit.AuditSink.noop(),
        audit -> audit.demandSink(file).demandSink(SearchDemandSink.slf4j(demandLogger)),
        (p, f) -> {})) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      sessionId = alice.cookies().get(SessionConfig.DEFAULT_COOKIE_NAME);
      assertThat(sessionId).hasSize(43);
      query = "respite 10.0.0.1, 8.8.8.8 [2001:db8::1] ring 07700x900x123 u-1001 sid=" + sessionId;
      assertThat(alice
              .get("/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8))
              .statusCode())
          .isEqualTo(200);
      portal.clock.advance(Duration.ofHours(1));
      portal.flushedSink();

      List<String> lines = Files.readAllLines(demandFile, StandardCharsets.UTF_8);
      assertThat(lines).hasSize(1);
      JsonNode record = JSON.readTree(lines.get(0));
      assertThat(record.get("terms").asText())
          .isEqualTo(
              "respite [ip-address] [ip-address] [ip-address] ring [phone] [user-handle] sid [token]");
      String everything = String.join("\n", lines)
          + demandLogger.output()
          + portal.demand.events()
          + meters.getMeters().stream().map(Meter::getId).toList();
      assertThat(demandLogger.output()).contains("[ip-address]").contains("[token]");
      for (String personal : new String[] {
        "10.0.0.1",
        "8.8.8.8",
        "2001",
        "db8",
        "07700",
        "900",
        "123",
        "1001",
        sessionId,
        sessionId.toLowerCase(java.util.Locale.ROOT),
        sessionId.substring(0, 16)
      }) {
        assertThat(everything).as(personal).doesNotContainIgnoringCase(personal);
      }
    }
  }

  /**
   * The same identifiers written in the digits of other scripts or with another dash: a phone number in Arabic-Indic
   * and in Devanagari digits, a card number in Arabic-Indic digits and a handle with a non-breaking hyphen (U+2011)
   * were written to the demand file as typed. Each is now redacted as its ASCII form is, and a year is kept in ASCII
   * digits.
   */
  @Test
  void numbersAndHandlesInOtherDigitsAndDashes_reachTheDemandFileRedacted() throws Exception {
    Path demandFile = dir.resolve("search-demand.jsonl");
    SearchDemandSink file = SearchDemandSink.jsonLines(demandFile);
    try (LoginPortal portal = new LoginPortal(
        dev.portcullis.audit.AuditSink.noop(), audit -> audit.demandSink(file), (p, f) -> {})) {
      Browser visitor = portal.browser();
      for (String query : List.of(
          "\u0660\u0667\u0667\u0660\u0660\u0669\u0660\u0660\u0661\u0662\u0663",
          "\u0966\u096d\u096d\u0966\u0966\u096f\u0966\u0966\u0967\u0968\u0969",
          "card \u0664\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661",
          "u\u20111001 respite",
          "homes \u0662\u0660\u0662\u0664")) {
        assertThat(visitor
                .get("/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8))
                .statusCode())
            .as(query)
            .isEqualTo(200);
      }
      portal.clock.advance(Duration.ofHours(1));
      portal.flushedSink();

      List<String> lines = Files.readAllLines(demandFile, StandardCharsets.UTF_8);
      Map<String, Long> searchesByTerms = new java.util.TreeMap<>();
      for (String line : lines) {
        JsonNode record = JSON.readTree(line);
        searchesByTerms.put(record.get("terms").asText(), record.get("searches").asLong());
      }
      assertThat(searchesByTerms)
          .containsExactlyInAnyOrderEntriesOf(Map.of(
              "[phone]", 2L, "card [number]", 1L, "[user-handle] respite", 1L, "homes 2024", 1L));
      String written = String.join("\n", lines);
      assertThat(written.codePoints().filter(c -> Character.isDigit(c) && c > 127))
          .as("digits of other scripts in the demand file")
          .isEmpty();
      assertThat(written).doesNotContain("1001", "1111", "07700");
    }
  }
}
