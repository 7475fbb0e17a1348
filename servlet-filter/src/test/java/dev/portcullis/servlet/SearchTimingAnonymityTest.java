package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditMetrics;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandSink;
import dev.portcullis.testing.CapturingLogger;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack: search-demand lines went to SLF4J as each search happened, so the console line with its {@code
 * HH:mm:ss} sat right after the identified {@code report_view} of the user who searched, and the "anonymous" search
 * was theirs. Now every demand output (the file, SLF4J, the metrics) gets nothing until the search's hour closes, then
 * one record per term with its count, sorted by term; a clean shutdown publishes the open hour.
 *
 * <p>Driven through the filter on a real Jetty; the hour is closed by moving the portal's injected clock.
 */
class SearchTimingAnonymityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNIQUE = "Quillfeather Respite";
  private static final String UNIQUE_TERMS = "quillfeather respite";

  @TempDir
  Path dir;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final CapturingLogger demandLogger = new CapturingLogger(SearchDemandSink.LOGGER_NAME);
  private final CapturingLogger auditLogger = new CapturingLogger(AuditSink.LOGGER_NAME);
  private Path demandFile;

  /** The test portal with a demand file, an SLF4J demand sink and metrics beside its recording sinks. */
  private LoginPortal portal() throws Exception {
    demandFile = dir.resolve("search-demand.jsonl");
    SearchDemandSink file = AuditMetrics.counting(SearchDemandSink.jsonLines(demandFile), meters);
    LoginPortal portal = new LoginPortal(
        AuditSink.slf4j(auditLogger),
        audit -> audit.demandSink(file).demandSink(SearchDemandSink.slf4j(demandLogger)),
        (p, f) -> {});
    AuditMetrics.bind(portal.audit, meters);
    return portal;
  }

  private static String search(String query) {
    return "/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
  }

  /** Every meter with its tags and current values, as a metrics backend would scrape them. */
  private String scrape() {
    StringBuilder out = new StringBuilder();
    for (Meter m : meters.getMeters()) {
      out.append(m.getId()).append(' ');
      for (Measurement v : m.measure()) {
        out.append(v.getStatistic()).append('=').append(v.getValue()).append(' ');
      }
      out.append('\n');
    }
    return out.toString();
  }

  private double searchCounter() {
    var counter = meters
        .find(AuditMetrics.SEARCH_DEMAND_EVENTS)
        .tags("endpoint", "/search")
        .counter();
    return counter == null ? 0 : counter.count();
  }

  private List<JsonNode> demandRecords() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(demandFile, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void uniqueSearch_reachesNoOutputBeforeItsHourCloses_thenEveryOutputHoldsItWithItsCount()
      throws Exception {
    try (LoginPortal portal = portal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      assertThat(alice.get("/reports/riverside/41").statusCode()).isEqualTo(200);
      assertThat(alice.get(search(UNIQUE)).statusCode()).isEqualTo(200);
      assertThat(alice.get("/reports/riverside/42").statusCode()).isEqualTo(200);
      portal.flushedSink();

      // The identified outputs are live: the report views around the search are there already.
      assertThat(auditLogger.output()).contains("report_view").contains("u-alice");
      assertThat(portal.sink.events())
          .filteredOn(e -> e.type().equals(AuditEventType.of("report_view")))
          .hasSize(2);
      // No demand output holds the search, or anything at all, while its hour is open.
      assertThat(Files.readString(demandFile)).isEmpty();
      assertThat(demandLogger.events()).isEmpty();
      assertThat(portal.demand.events()).isEmpty();
      assertThat(scrape()).doesNotContainIgnoringCase("quillfeather");
      assertThat(searchCounter()).isZero();
      // Not even a counter moved when the search came in: the log's own counters count identified
      // events only.
      assertThat(meters.get("portcullis.audit.emitted").functionCounter().count())
          .isEqualTo(portal.sink.events().size());

      portal.clock.advance(Duration.ofHours(1));
      assertThat(alice.get(search("next hour only")).statusCode()).isEqualTo(200);
      portal.flushedSink();

      List<JsonNode> records = demandRecords();
      assertThat(records).hasSize(1);
      JsonNode record = records.get(0);
      assertThat(record.get("terms").asText()).isEqualTo(UNIQUE_TERMS);
      assertThat(record.get("searches").asLong()).isEqualTo(1);
      assertThat(record.get("bucket_start").asText()).isEqualTo("2026-01-01T00:00:00Z");
      assertThat(demandLogger.events()).hasSize(1);
      assertThat(demandLogger.output())
          .contains("terms=\"" + UNIQUE_TERMS + "\"")
          .contains("searches=\"1\"")
          .doesNotContain("next hour");
      assertThat(portal.demand.events()).hasSize(1);
      assertThat(searchCounter()).isEqualTo(1.0);
      String published = Files.readString(demandFile) + demandLogger.output();
      assertThat(published).doesNotContain("alice", "riverside", "127.0.0.1", "next hour");
    }
    // Closing publishes the second, still open hour.
    assertThat(demandRecords())
        .extracting(r -> r.get("terms").asText())
        .containsExactly(UNIQUE_TERMS, "next hour only");
  }

  @Test
  void searchesOfOneHour_arePublishedTogether_sortedByTerm_notInTheOrderTheyCame()
      throws Exception {
    List<String> arrival =
        List.of("Zinnia House", "alpha care", "Mistral Lodge", "ALPHA  care", "beech court");
    try (LoginPortal portal = portal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      Browser anonymous = portal.browser();
      for (int i = 0; i < arrival.size(); i++) {
        Browser who = i % 2 == 0 ? alice : anonymous;
        assertThat(who.get(search(arrival.get(i))).statusCode()).isEqualTo(200);
      }
      portal.clock.advance(Duration.ofMinutes(59));
      portal.flushedSink();
      assertThat(Files.readString(demandFile)).as("the hour is not over yet").isEmpty();
      portal.clock.advance(Duration.ofMinutes(1));
      portal.flushedSink();

      List<JsonNode> records = demandRecords();
      assertThat(records)
          .extracting(r -> r.get("terms").asText())
          .containsExactly("alpha care", "beech court", "mistral lodge", "zinnia house");
      assertThat(records)
          .extracting(r -> r.get("searches").asLong())
          .containsExactly(2L, 1L, 1L, 1L);
      assertThat(demandLogger.events()).hasSize(4);
      assertThat(demandLogger.events().get(0).message()).contains("alpha care");
      assertThat(demandLogger.events().get(3).message()).contains("zinnia house");
      assertThat(searchCounter()).isEqualTo(5.0);
    }
  }

  @Test
  void cleanShutdown_publishesTheOpenHour_soNoSearchIsLost() throws Exception {
    LoginPortal portal = portal();
    try (portal) {
      Browser visitor = portal.browser();
      assertThat(visitor.get(search(UNIQUE)).statusCode()).isEqualTo(200);
      assertThat(visitor.get(search(UNIQUE)).statusCode()).isEqualTo(200);
      portal.flushedSink();
      assertThat(Files.readString(demandFile)).isEmpty();
      assertThat(demandLogger.events()).isEmpty();
    }
    List<JsonNode> records = demandRecords();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).get("terms").asText()).isEqualTo(UNIQUE_TERMS);
    assertThat(records.get(0).get("searches").asLong()).isEqualTo(2);
    assertThat(demandLogger.output()).contains(UNIQUE_TERMS);
    assertThat(searchCounter()).isEqualTo(2.0);
  }
}
