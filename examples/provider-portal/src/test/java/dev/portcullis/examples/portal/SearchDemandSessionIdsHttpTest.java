package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session id pasted into the search box reaches the anonymous search-demand log as {@code [token]}, also one whose
 * letters and digits rarely alternate: an ASP.NET session id ({@code ASP.NET_SessionId}, the ported profile's cookie:
 * 24 characters of {@code a-z0-5}) with a single digit, and a Portcullis session id (43 base64url characters) whose
 * digits are few. About 1 in 20 of the former and 1 in 100 of the latter looked like words to the redaction and were
 * published as typed.
 */
class SearchDemandSessionIdsHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pastedSessionIdsWithFewDigits_reachTheSearchDemandLogAsTokenMarkers(@TempDir Path dataDir)
      throws Exception {
    String aspNetId = "gvggibcxplyerfjd0xepcvnt";
    String portcullisId = "SOiQNRt_IE5intkVwcmFPuPyrppnNMqjQOOIwxc-vyd";
    List<String> searches =
        List.of(aspNetId, "care homes " + portcullisId, "day centre " + aspNetId + " leeds");
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient visitor = portal.client();
      for (String q : searches) {
        assertThat(visitor
                .get("/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8))
                .statusCode())
            .as(q)
            .isEqualTo(200);
      }
    } // stopping the portal writes the hour still open

    List<String> lines =
        Files.readAllLines(dataDir.resolve(Portal.SEARCH_DEMAND_FILE), StandardCharsets.UTF_8);
    Map<String, Long> searchesByTerms = new TreeMap<>();
    for (String line : lines) {
      JsonNode record = JSON.readTree(line);
      searchesByTerms.merge(
          record.get("terms").asText(), record.get("searches").asLong(), Long::sum);
    }
    assertThat(searchesByTerms)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("[token]", 1L, "care homes [token]", 1L, "day centre [token] leeds", 1L));
    String all = String.join("\n", lines).toLowerCase(java.util.Locale.ROOT);
    assertThat(all).doesNotContain("xepcvnt", "vwcmfpupy", "gvggibcx", "nmqjqooiwxc");
  }
}
