package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The council officers' monitoring pages over HTTPS: who may see them, that every view is audited, what the
 * service-demand page shows once the search-demand log has published an hour, and the audit page's filters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PAGES =
      List.of(Monitoring.SERVICE_DEMAND_PATH, Monitoring.AUDIT_PATH);
  private static final Pattern TERM_ROW = Pattern.compile(
      "<tr><th scope=\"row\">([^<]*)</th><td class=\"number\">(\\d+)</td><td class=\"number\">(\\d+)</td>");

  private final ShiftableClock clock = new ShiftableClock();
  private RunningPortal portal;
  private Path dataDir;
  private String demandPageWhileTheHourWasOpen;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    this.dataDir = dataDir;
    portal = new RunningPortal(dataDir, clock);
    PortalClient anonymous = portal.client();
    anonymous.get("/search?q=home+care");
    anonymous.get("/search?q=Home+Care");
    anonymous.get("/search?q=nursing+alice%40riverside.example");
    anonymous.get("/search?q=submarine");
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    demandPageWhileTheHourWasOpen = carol.get(Monitoring.SERVICE_DEMAND_PATH).body();
    // Past the end of the searches' hour (and the next, should they straddle two): the log
    // publishes them.
    clock.advance(Duration.ofHours(2));
    assertThat(portal.portal.flushAudit(Duration.ofSeconds(10))).isTrue();
  }

  @AfterAll
  void stop() {
    if (portal != null) {
      portal.close();
    }
  }

  private List<JsonNode> auditRecords() throws Exception {
    return portal.auditRecords();
  }

  private static boolean is(JsonNode record, String type, String user) {
    return record.path("type").asText().equals(type)
        && record.path("user").asText().equals(user);
  }

  @Test
  void anonymousVisitor_isSentToLogin() throws Exception {
    PortalClient c = portal.client();
    for (String page : PAGES) {
      HttpResponse<String> r = c.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(303);
      assertThat(r.headers().firstValue("Location"))
          .as(page)
          .hasValue("/login?returnTo=" + page.replace("/", "%2F"));
    }
  }

  @Test
  void provider_isRefused_andTheRefusalIsAudited() throws Exception {
    PortalClient alice = portal.client();
    alice.loginAs("alice");
    for (String page : PAGES) {
      HttpResponse<String> r = alice.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(403);
      assertThat(r.body()).as(page).doesNotContain("Hash chain", "Searches per day");
    }
    assertThat(alice.get("/reports").body()).doesNotContain(Monitoring.AUDIT_PATH);
    assertThat(auditRecords())
        .filteredOn(e -> is(e, "access_denied", DemoData.ACCOUNTS.get("alice").handle()))
        .extracting(e -> e.path("resource").asText())
        .contains(PAGES.toArray(String[]::new));
  }

  @Test
  void officer_seesBothPages_andEachViewIsAudited() throws Exception {
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    assertThat(carol.get("/reports").body())
        .contains("href=\"" + Monitoring.SERVICE_DEMAND_PATH + "\"")
        .contains("href=\"" + Monitoring.AUDIT_PATH + "\"");
    HttpResponse<String> demand = carol.get(Monitoring.SERVICE_DEMAND_PATH);
    HttpResponse<String> audit = carol.get(Monitoring.AUDIT_PATH);
    assertThat(demand.statusCode()).isEqualTo(200);
    assertThat(audit.statusCode()).isEqualTo(200);
    assertThat(demand.headers().firstValue("Cache-Control")).hasValue("no-store");
    String carolHandle = DemoData.ACCOUNTS.get("carol").handle();
    List<JsonNode> records = auditRecords();
    assertThat(records)
        .filteredOn(e -> is(e, Monitoring.SERVICE_DEMAND_ACTION, carolHandle))
        .extracting(e -> e.path("outcome").asText(), e -> e.path("resource").asText())
        .contains(org.assertj.core.groups.Tuple.tuple("success", Monitoring.SERVICE_DEMAND_PATH));
    assertThat(records)
        .filteredOn(e -> is(e, Monitoring.AUDIT_ACTION, carolHandle))
        .extracting(e -> e.path("outcome").asText(), e -> e.path("resource").asText())
        .contains(org.assertj.core.groups.Tuple.tuple("success", Monitoring.AUDIT_PATH));
  }

  @Test
  void serviceDemand_showsNothing_whileTheHourOfTheSearchesIsOpen() {
    assertThat(demandPageWhileTheHourWasOpen)
        .contains("No searches have been published yet")
        .doesNotContain("home care");
  }

  @Test
  void serviceDemand_showsTheWeeksTermsAndCounts_normalisedAndRedacted() throws Exception {
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    String page = carol.get(Monitoring.SERVICE_DEMAND_PATH).body();
    List<String> rows = new ArrayList<>();
    Matcher m = TERM_ROW.matcher(page);
    while (m.find()) {
      rows.add(m.group(1) + "=" + m.group(2) + "/" + m.group(3));
    }
    // Most searched first; "submarine" found nothing. The e-mail address is only a marker.
    assertThat(rows).containsExactly("home care=2/0", "nursing [email]=1/1", "submarine=1/1");
    assertThat(page)
        .contains("<svg class=\"chart\" role=\"img\"")
        .contains("<title id=\"demand-chart-title\">Searches per day")
        .contains("4 searches in all")
        .doesNotContain("alice@riverside.example", "<script");
  }

  @Test
  void auditPage_filtersByUserAndType_newestFirst_andVerifiesTheChain() throws Exception {
    PortalClient alice = portal.client();
    alice.loginAs("alice");
    alice.get("/reports/101");
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    String aliceHandle = DemoData.ACCOUNTS.get("alice").handle();
    String page = carol.get(Monitoring.AUDIT_PATH + "?user=" + aliceHandle).body();
    assertThat(page).contains("Hash chain verified:</strong> ");
    List<String> users = cells(page, "user");
    assertThat(users).isNotEmpty().containsOnly(aliceHandle);
    List<String> types = cells(page, "type");
    assertThat(types).contains("authn_login_success", "report_view");
    // Newest first: the report was opened after the login.
    assertThat(types.indexOf("report_view")).isLessThan(types.lastIndexOf("authn_login_success"));

    String reportViews = carol
        .get(Monitoring.AUDIT_PATH + "?user=" + aliceHandle + "&type=report_view")
        .body();
    assertThat(cells(reportViews, "type")).isNotEmpty().containsOnly("report_view");
    String today =
        java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC).toString();
    String tomorrow = java.time.LocalDate.parse(today).plusDays(1).toString();
    assertThat(cells(
            carol
                .get(Monitoring.AUDIT_PATH + "?user=" + aliceHandle + "&from=" + tomorrow)
                .body(),
            "type"))
        .isEmpty();
  }

  @Test
  void auditPage_refusesABadFilter_with400_andEscapesWhatWasTyped() throws Exception {
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    HttpResponse<String> badDate = carol.get(Monitoring.AUDIT_PATH + "?from=31%2F12%2F2026");
    assertThat(badDate.statusCode()).isEqualTo(400);
    assertThat(badDate.body())
        .contains("Enter the first day as a date")
        .contains("value=\"31/12/2026\"")
        .doesNotContain("<table class=\"audit\"");
    HttpResponse<String> backwards =
        carol.get(Monitoring.AUDIT_PATH + "?from=2026-02-01&to=2026-01-01");
    assertThat(backwards.statusCode()).isEqualTo(400);
    HttpResponse<String> badType = carol.get(Monitoring.AUDIT_PATH + "?type=%3Cb%3E");
    assertThat(badType.statusCode()).isEqualTo(400);
    assertThat(badType.body()).doesNotContain("<b>");

    HttpResponse<String> markup =
        carol.get(Monitoring.AUDIT_PATH + "?user=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22");
    assertThat(markup.statusCode()).isEqualTo(200);
    assertThat(markup.body())
        .contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;\"")
        .doesNotContain("<script>");
  }

  /** The text of the audit table's cells of one class, top to bottom. */
  private static List<String> cells(String page, String cssClass) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile("<td class=\"" + cssClass + "\">([^<]*)</td>").matcher(page);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }
}
