package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression, weakness "the service-demand page held every term the demand log ever published": visitors' searches
 * with new words each time fill the search-demand log with up to its cap on distinct terms (10,000) every hour, and
 * the page read the whole file into memory and kept every term of every week, so each officer's view needed memory in
 * proportion to everything ever searched. Now it reads the file a line at a time and keeps at most {@link
 * DemandSummary.MAX_TERMS_PER_WEEK} terms per week (the rest counted as other terms) for the weeks it shows.
 */
class ServiceDemandPageBoundsHttpTest {
  private static final int TERMS = DemandSummary.MAX_TERMS_PER_WEEK + 2_000;

  @Test
  void aWeekWithMoreTermsThanTheCap_isSummarisedWithinTheCap(@TempDir Path dataDir)
      throws Exception {
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < TERMS; i++) {
      log.append("{\"kind\":\"search_demand\",\"bucket_start\":\"2026-11-30T10:00:00Z\",")
          .append("\"bucket\":\"PT1H\",\"endpoint\":\"/search\",\"terms\":\"care ")
          .append(word(i))
          .append("\",\"searches\":1,\"without_results\":1}\n");
    }
    Files.writeString(dataDir.resolve(Portal.SEARCH_DEMAND_FILE), log, StandardCharsets.UTF_8);

    String page;
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient carol = portal.client();
      carol.loginAs("carol");
      page = carol.get(Monitoring.SERVICE_DEMAND_PATH).body();
    }

    assertThat(page)
        .contains(TERMS + " searches, the 10 most searched of "
            + (DemandSummary.MAX_TERMS_PER_WEEK + 1) + " terms")
        .contains("<em>Other terms</em>")
        .doesNotContain("could not be read");
  }

  /** Four lower-case letters, different for each {@code n} below 26 to the fourth power. */
  private static String word(int n) {
    char[] w = new char[4];
    for (int k = 3; k >= 0; k--) {
      w[k] = (char) ('a' + n % 26);
      n /= 26;
    }
    return new String(w);
  }
}
