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
}
