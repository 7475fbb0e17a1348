package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.testing.TestBrowser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WAR's audited actions and search endpoints from its settings, deployed by the initializer on a real Jetty: a
 * report a logged-in user views is in the audit file with the user, a search is counted in the search-demand file
 * without anyone's name, and a mistake in these settings fails the deployment naming the setting.
 */
class AuditedActionsDeploymentTest {
  @TempDir
  Path dir;

  private Map<String, String> settings(Path audit, Path demand) {
    return Map.of(
        "PORTCULLIS_AUDIT_SINK", "json-lines",
        "PORTCULLIS_AUDIT_FILE", audit.toString(),
        "PORTCULLIS_AUDIT_ACTIONS_0_PATTERN", "/reports/{id}",
        "PORTCULLIS_AUDIT_ACTIONS_0_ACTION", "report_view",
        "PORTCULLIS_AUDIT_SEARCH_ENDPOINTS_0_PATH", "/search",
        "PORTCULLIS_AUDIT_SEARCH_ENDPOINTS_0_PARAMETER", "q",
        "PORTCULLIS_AUDIT_SEARCH_DEMAND_SINK", "json-lines",
        "PORTCULLIS_AUDIT_SEARCH_DEMAND_FILE", demand.toString());
  }

  @Test
  void reportViewedByALoggedInUser_isAudited_andASearchIsCountedWithoutTheUser() throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    Path demand = dir.resolve("demand.jsonl");
    try (WarNode node = WarNode.start(WarNode.environment(dir, settings(audit, demand)))) {
      TestBrowser browser = new TestBrowser(node.base());
      assertThat(WarNode.logIn(browser).statusCode()).isEqualTo(303);
      assertThat(WarNode.whoami(browser)).isEqualTo("u-alice");

      assertThat(browser.get("/reports/42").statusCode()).isEqualTo(200);
      assertThat(browser.get("/search?q=care+homes").statusCode()).isEqualTo(200);
      node.undeploy(); // delivers what the audit log holds and publishes the search counts
    }

    String auditLines = Files.readString(audit, StandardCharsets.UTF_8);
    assertThat(auditLines.lines().filter(line -> line.contains("report_view")))
        .as("the audit file")
        .singleElement()
        .asString()
        .contains("u-alice")
        .contains("\"42\"");
    assertThat(auditLines).doesNotContain("care homes");

    String demandLines = Files.readString(demand, StandardCharsets.UTF_8);
    assertThat(demandLines)
        .as("the search-demand file")
        .contains("\"terms\":\"care homes\",\"searches\":1")
        .contains("/search")
        .doesNotContain("alice")
        .doesNotContain("report_view");
  }

  @Test
  void mistakesInActionsAndSearchSettings_failTheDeployment_oneMessageEach_namingTheSetting()
      throws Exception {
    Map<String, String> settings = Map.of(
        "PORTCULLIS_AUDIT_ACTIONS_0_PATTERN", "/Reports/{id}",
        "PORTCULLIS_AUDIT_ACTIONS_0_ACTION", "report_view",
        "PORTCULLIS_AUDIT_ACTIONS_1_PATTERN", "/invoices/{id}",
        "PORTCULLIS_AUDIT_ACTIONS_1_ACTION", "Invoice View",
        "PORTCULLIS_AUDIT_ACTIONS_2_PATTERN", "/letters/{id}",
        "PORTCULLIS_AUDIT_SEARCH_ENDPOINTS_0_PATH", "/Search",
        "PORTCULLIS_AUDIT_SEARCH_ENDPOINTS_0_PARAMETER", "q",
        "PORTCULLIS_AUDIT_SEARCH_DEMAND_SINK", "json-lines",
        "PORTCULLIS_AUDIT_SEARCH_DEMAND_MINIMUM_COUNT", "0");

    Throwable failure = catchThrowable(() -> WarNode.start(WarNode.environment(dir, settings)));

    assertThat(failure)
        .hasMessageContaining("(6 mistakes)")
        .hasMessageContaining("portcullis.audit.actions[0].pattern (environment variable"
            + " PORTCULLIS_AUDIT_ACTIONS_0_PATTERN) is not valid")
        .hasMessageContaining("portcullis.audit.actions[1].action (environment variable"
            + " PORTCULLIS_AUDIT_ACTIONS_1_ACTION) is not valid")
        .hasMessageContaining("portcullis.audit.actions[2].action is not set")
        .hasMessageContaining("portcullis.audit.search-endpoints[0].path (environment variable"
            + " PORTCULLIS_AUDIT_SEARCH_ENDPOINTS_0_PATH) is not valid")
        .hasMessageContaining(
            "portcullis.audit.search-demand.sink is json-lines, which writes to a file,"
                + " but portcullis.audit.search-demand.file is not set")
        .hasMessageContaining("portcullis.audit.search-demand.minimum-count (environment variable"
            + " PORTCULLIS_AUDIT_SEARCH_DEMAND_MINIMUM_COUNT) is not valid")
        .hasMessageNotContaining("/Reports")
        .hasMessageNotContaining("Invoice View")
        .hasMessageNotContaining("/Search");
  }
}
