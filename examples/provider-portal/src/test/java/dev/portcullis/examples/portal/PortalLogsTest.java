package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.audit.AuditChainVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the portal leaves in its data folder after a short session of use: a hash-chained audit log with the report
 * views and their outcomes, and a search-demand log that holds no trace of who searched. The portal is stopped
 * before the files are read, as the verifier asks; stopping it also publishes the searches of the hour still open,
 * which the demand log holds back until the hour closes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalLogsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  Path dataDir;
  private final Map<String, String> cookieValuesSeen = new java.util.HashMap<>();
  private List<JsonNode> audit;
  private List<String> auditLines;
  private List<String> demandLines;
  private List<String> demandLinesWhileRunning;
  private boolean searchesAndCheckInOneHour;

  @BeforeAll
  void useThePortalThenStopIt(@TempDir Path dataDir) throws Exception {
    this.dataDir = dataDir;
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      Instant firstSearch = InstantSource.system().instant();
      PortalClient alice = portal.client();
      alice.loginAs("alice");
      alice.get("/reports/101");
      alice.get("/reports/201");
      alice.get("/search?q=Day+Centre+alice%40riverside.example");
      alice.get("/search?q=nursing");
      cookieValuesSeen.putAll(alice.cookies());
      alice.logout();
      PortalClient anonymous = portal.client();
      anonymous.get("/search?q=home+care");
      portal.client().loginAs("dave");
      assertThat(portal.portal.flushAudit(Duration.ofSeconds(10))).isTrue();
      demandLinesWhileRunning =
          Files.readAllLines(dataDir.resolve(Portal.SEARCH_DEMAND_FILE), StandardCharsets.UTF_8);
      Instant check = InstantSource.system().instant();
      searchesAndCheckInOneHour =
          firstSearch.truncatedTo(ChronoUnit.HOURS).equals(check.truncatedTo(ChronoUnit.HOURS));
    }
    auditLines = Files.readAllLines(dataDir.resolve(Portal.AUDIT_FILE), StandardCharsets.UTF_8);
    demandLines =
        Files.readAllLines(dataDir.resolve(Portal.SEARCH_DEMAND_FILE), StandardCharsets.UTF_8);
    audit = new ArrayList<>();
    for (String line : auditLines) {
      audit.add(JSON.readTree(line));
    }
  }

  private List<JsonNode> events(String type) {
    return audit.stream().filter(e -> e.get("type").asText().equals(type)).toList();
  }

  @Test
  void auditLog_isAnIntactHashChain() throws Exception {
    AuditChainVerifier.Result result =
        AuditChainVerifier.verify(dataDir.resolve(Portal.AUDIT_FILE));
    assertThat(result.intact()).as(result.describe()).isTrue();
    assertThat(result.records()).isEqualTo(auditLines.size()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void auditLog_recordsEachReportView_withUserOrganisationAndOutcome() {
    List<JsonNode> views = events("report_view");
    assertThat(views).hasSize(2);
    assertThat(views.get(0).get("user").asText()).isEqualTo("u-1001");
    assertThat(views.get(0).get("organisation").asText()).isEqualTo("riverside");
    assertThat(views.get(0).get("resource").asText()).isEqualTo("101");
    assertThat(views.get(0).get("outcome").asText()).isEqualTo("success");
    assertThat(views.get(1).get("resource").asText()).isEqualTo("201");
    assertThat(views.get(1).get("outcome").asText()).isEqualTo("failure");
    assertThat(views.get(1).get("reason").asText())
        .as("answered 404, audited as the denial it is")
        .isEqualTo(ReportsPage.DENIED);
  }

  @Test
  void auditLog_recordsLoginsRefusalsAndLogout() {
    assertThat(events("authn_login_success"))
        .extracting(e -> e.get("user").asText())
        .containsExactly("u-1001");
    assertThat(events("authn_login_fail"))
        .extracting(e -> e.get("user").asText())
        .containsExactly("u-1004");
    assertThat(events("logout")).hasSize(1);
  }

  @Test
  void auditLog_holdsNoPasswordCookieValueOrSearch() {
    String all = String.join("\n", auditLines);
    assertThat(all).doesNotContain("demo-pass", "Day Centre", "day centre", "nursing");
    assertThat(cookieValuesSeen).isNotEmpty();
    cookieValuesSeen.values().stream()
        .filter(v -> v.length() > 8)
        .forEach(v -> assertThat(all).doesNotContain(v));
  }

  @Test
  void searchDemandLog_holdsNothing_whileTheHourOfTheSearchesIsOpen() {
    assumeTrue(searchesAndCheckInOneHour, "the searches and the check fell in different hours");
    assertThat(demandLinesWhileRunning).isEmpty();
  }

  @Test
  void searchDemandLog_holdsEverySearchAfterTheStop_withNormalisedTermsAndCountsOnly()
      throws Exception {
    Map<String, JsonNode> byTerms = new java.util.HashMap<>();
    Map<String, List<String>> termsByHour = new java.util.TreeMap<>();
    for (String line : demandLines) {
      JsonNode record = JSON.readTree(line);
      byTerms.put(record.get("terms").asText(), record);
      termsByHour
          .computeIfAbsent(record.get("bucket_start").asText(), h -> new ArrayList<>())
          .add(record.get("terms").asText());
    }
    assertThat(byTerms).containsOnlyKeys("day centre [email]", "nursing", "home care");
    assertThat(byTerms.values())
        .allSatisfy(r -> assertThat(r.get("searches").asLong()).isEqualTo(1));
    assertThat(byTerms.get("day centre [email]").get("without_results").asLong())
        .isEqualTo(1);
    assertThat(byTerms.get("nursing").get("without_results").asLong()).isZero();
    assertThat(byTerms.get("home care").get("without_results").asLong()).isZero();
    // Within an hour the records are sorted by terms, not in the order the searches came.
    termsByHour.values().forEach(terms -> assertThat(terms).isSorted());
    if (termsByHour.size() == 1) {
      assertThat(termsByHour.values().iterator().next())
          .containsExactly("day centre [email]", "home care", "nursing");
    }
  }

  @Test
  void searchDemandLog_holdsNoTraceOfWhoSearched() throws Exception {
    assertThat(demandLines).hasSize(3);
    Set<String> fields = new TreeSet<>();
    for (String line : demandLines) {
      JSON.readTree(line).fieldNames().forEachRemaining(fields::add);
    }
    assertThat(fields)
        .containsExactlyInAnyOrder(
            "kind", "bucket_start", "bucket", "endpoint", "terms", "searches", "without_results");
    String all = String.join("\n", demandLines);
    assertThat(all)
        .doesNotContain("u-1001", "alice", "riverside", "127.0.0.1", "request_id", "session");
    cookieValuesSeen.values().stream()
        .filter(v -> v.length() > 8)
        .forEach(v -> assertThat(all).doesNotContain(v));
    for (String line : demandLines) {
      assertThat(JSON.readTree(line).get("bucket_start").asText()).endsWith(":00:00Z");
    }
  }
}
