package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a visitor types into the running portal's search box and what reaches the anonymous search-demand log (and the
 * officers' service-demand page): personal data as its marker, in the spellings people type it.
 */
class SearchDemandRedactionHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A full postcode written with a dash or a dot between its two halves ({@code SW1A-1AA}, {@code LS1–1AA},
   * {@code M1.1AE}, {@code B33 - 8TH}) becomes {@code [postcode]}, like the spaced form: a full postcode names a
   * handful of addresses.
   */
  @Test
  void postcodesWrittenWithADashOrADot_reachTheSearchDemandLogAsPostcodeMarkers(
      @TempDir Path dataDir) throws Exception {
    Logged logged = search(
        dataDir,
        List.of(
            "homes near SW1A-1AA",
            "homes near LS1\u20131AA",
            "care at M1.1AE",
            "B33 - 8TH",
            "CR2 6XH"));

    assertThat(logged.searchesByTerms())
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "homes near [postcode]", 2L,
            "care at [postcode]", 1L,
            "[postcode]", 2L));
    for (String part : List.of("sw1a", "1aa", "ls1", "m1", "1ae", "b33", "8th", "cr2", "6xh")) {
      assertThat(logged.text()).as(part).doesNotContain(part);
    }
  }

  /**
   * A pasted session id becomes {@code [token]}, also one whose letters and digits rarely alternate: an ASP.NET
   * session id ({@code ASP.NET_SessionId}, the ported profile's cookie: 24 characters of {@code a-z0-5}) with a single
   * digit, and a Portcullis session id (43 base64url characters) whose digits are few. About 1 in 20 of the former and
   * 1 in 100 of the latter looked like words to the redaction and were published as typed.
   */
  @Test
  void pastedSessionIdsWithFewDigits_reachTheSearchDemandLogAsTokenMarkers(@TempDir Path dataDir)
      throws Exception {
    String aspNetId = "gvggibcxplyerfjd0xepcvnt";
    String portcullisId = "SOiQNRt_IE5intkVwcmFPuPyrppnNMqjQOOIwxc-vyd";
    Logged logged = search(
        dataDir,
        List.of(aspNetId, "care homes " + portcullisId, "day centre " + aspNetId + " leeds"));

    assertThat(logged.searchesByTerms())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("[token]", 1L, "care homes [token]", 1L, "day centre [token] leeds", 1L));
    assertThat(logged.text().toLowerCase(Locale.ROOT))
        .doesNotContain("xepcvnt", "vwcmfpupy", "gvggibcx", "nmqjqooiwxc");
  }

  /**
   * A query longer than 400 characters is not a person's search: it is counted in the {@code [other]} record without
   * being read, and the page answers as usual. Read, a query of a few thousand digits overflowed the redaction's
   * stack, and one of a few thousand letters cost its pattern for e-mail addresses time quadratic in the length.
   */
  @Test
  void overlongQueries_areCountedAsOtherTermsUnread(@TempDir Path dataDir) throws Exception {
    Logged logged = search(
        dataDir,
        List.of(
            "0".repeat(6000),
            "a".repeat(6000),
            "care home ".repeat(41),
            "care home ".repeat(40).strip()));

    assertThat(logged.searchesByTerms())
        .containsOnlyKeys("[other]", "care home ".repeat(10).strip())
        .containsEntry("[other]", 3L);
  }

  /** The search-demand log's lines, whole, and its search counts per published terms. */
  private record Logged(String text, Map<String, Long> searchesByTerms) {}

  /** Runs a portal, has an anonymous visitor make {@code searches}, stops it (which writes the open hour) and reads its log. */
  private static Logged search(Path dataDir, List<String> searches) throws Exception {
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient visitor = portal.client();
      for (String q : searches) {
        assertThat(visitor
                .get("/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8))
                .statusCode())
            .as(q)
            .isEqualTo(200);
      }
    }
    List<String> lines =
        Files.readAllLines(dataDir.resolve(Portal.SEARCH_DEMAND_FILE), StandardCharsets.UTF_8);
    Map<String, Long> searchesByTerms = new TreeMap<>();
    for (String line : lines) {
      JsonNode record = JSON.readTree(line);
      searchesByTerms.merge(
          record.get("terms").asText(), record.get("searches").asLong(), Long::sum);
    }
    return new Logged(String.join("\n", lines), searchesByTerms);
  }
}
