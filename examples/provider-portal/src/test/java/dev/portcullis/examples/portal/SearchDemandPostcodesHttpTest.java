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
 * A visitor's search that holds a full postcode written with a dash or a dot between its two halves ({@code SW1A-1AA},
 * {@code LS1–1AA}, {@code M1.1AE}, {@code B33 - 8TH}), as people type them, reaches the anonymous search-demand log,
 * and the officers' service-demand page, as {@code [postcode]}, like the spaced form: a full postcode names a handful
 * of addresses.
 */
class SearchDemandPostcodesHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void postcodesWrittenWithADashOrADot_reachTheSearchDemandLogAsPostcodeMarkers(
      @TempDir Path dataDir) throws Exception {
    List<String> searches = List.of(
        "homes near SW1A-1AA", "homes near LS1\u20131AA", "care at M1.1AE", "B33 - 8TH", "CR2 6XH");
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
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "homes near [postcode]", 2L,
            "care at [postcode]", 1L,
            "[postcode]", 2L));
    String all = String.join("\n", lines);
    for (String part : List.of("sw1a", "1aa", "ls1", "m1", "1ae", "b33", "8th", "cr2", "6xh")) {
      assertThat(all).as(part).doesNotContain(part);
    }
  }
}
