package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which requests the portal's audit and search-demand logs record, by method, over HTTPS. The pages answer
 * {@code OPTIONS} with the methods they allow without running (so without their organisation check): such a request
 * views nothing and searches nothing, and is recorded nowhere. A {@code HEAD} runs the page like a {@code GET} and is
 * audited like one, with the page's own outcome; it is no person's search, so the demand log does not count it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditedMethodsHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, HttpResponse<String>> responses = new java.util.HashMap<>();
  private List<JsonNode> audit;
  private List<JsonNode> demand;

  private static HttpResponse<String> send(PortalClient client, String method, String path)
      throws Exception {
    return client.send(HttpRequest.newBuilder(client.uri(path))
        .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  @BeforeAll
  void useThePortalThenStopIt(@TempDir Path dataDir) throws Exception {
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient bob = portal.client(); // hillview: report 102 is riverside's, 201 his own
      bob.loginAs("bob");
      responses.put("options another's", send(bob, "OPTIONS", "/reports/102"));
      responses.put("options missing", send(bob, "OPTIONS", "/reports/999"));
      responses.put("head another's", send(bob, "HEAD", "/reports/103"));
      responses.put("head own", send(bob, "HEAD", "/reports/202"));
      responses.put("get own", bob.get("/reports/201"));
      PortalClient carol = portal.client();
      carol.loginAs("carol");
      responses.put("options audit page", send(carol, "OPTIONS", Monitoring.AUDIT_PATH));
      PortalClient visitor = portal.client();
      responses.put("options search", send(visitor, "OPTIONS", "/search?q=options+probe"));
      responses.put("head search", send(visitor, "HEAD", "/search?q=head+probe"));
      responses.put("get search", visitor.get("/search?q=nursing"));
    }
    audit = records(dataDir.resolve(Portal.AUDIT_FILE));
    // Stopping the portal published the searches of the hour still open.
    demand = records(dataDir.resolve(Portal.SEARCH_DEMAND_FILE));
  }

  private static List<JsonNode> records(Path file) throws Exception {
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      records.add(JSON.readTree(line));
    }
    return records;
  }

  private List<String> events(String type) {
    return audit.stream()
        .filter(e -> e.path("type").asText().equals(type))
        .map(e -> e.path("user").asText() + " " + e.path("resource").asText() + " "
            + e.path("outcome").asText() + " " + e.path("reason").asText())
        .map(String::strip)
        .toList();
  }

  @Test
  void theRequestsWereAnswered_optionsWithTheAllowedMethods() {
    for (String options : List.of("options another's", "options missing", "options audit page")) {
      HttpResponse<String> r = responses.get(options);
      assertThat(r.statusCode()).as(options).isEqualTo(200);
      assertThat(r.headers().firstValue("Allow"))
          .as(options)
          .hasValueSatisfying(allow -> assertThat(allow).contains("GET"));
    }
    assertThat(responses.get("head another's").statusCode()).isEqualTo(404);
    assertThat(responses.get("head own").statusCode()).isEqualTo(200);
    assertThat(responses.get("get own").statusCode()).isEqualTo(200);
    assertThat(responses.get("options search").statusCode()).isEqualTo(200);
    assertThat(responses.get("head search").statusCode()).isEqualTo(200);
    assertThat(responses.get("get search").statusCode()).isEqualTo(200);
  }

  @Test
  void optionsOfAReport_isNoReportView_whileHeadAndGetAreAuditedWithTheirOutcome() {
    assertThat(events("report_view"))
        .containsExactlyInAnyOrder(
            "u-1002 103 failure " + ReportsPage.DENIED, "u-1002 202 success", "u-1002 201 success");
  }

  @Test
  void optionsOfTheAuditPage_isNoAuditLogView() {
    assertThat(events(Monitoring.AUDIT_ACTION)).isEmpty();
  }

  @Test
  void onlyTheGetOfTheSearchPage_isCountedAsASearch() {
    assertThat(demand)
        .extracting(r -> r.path("terms").asText() + " " + r.path("searches").asLong())
        .containsExactly("nursing 1");
  }
}
