package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider asks for reports under every spelling of their path a server might read as the same report (encoded and
 * full-width digits, leading zeros, a trailing slash, letter case, empty and dot segments, path parameters, suffixes,
 * a query with another id, {@code HEAD}, another {@code Accept}): no spelling shows another organisation's report,
 * another organisation's report is answered exactly like a missing one, and every answer that shows a report has its
 * {@code report_view} in the audit log.
 */
class ReportPathSpellingsHttpTest {

  @Test
  void everySpelling_showsOwnReportsOnly_answersOthersAsMissing_andAuditsEveryView(
      @TempDir Path dataDir) throws Exception {
    List<String> shown = new ArrayList<>();
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient bob = portal.client(); // hillview: 201 is his own, 101 riverside's
      bob.loginAs("bob");
      HttpResponse<String> missing = bob.get("/reports/999999");
      HttpResponse<String> another = bob.get("/reports/101");
      assertThat(another.statusCode()).isEqualTo(missing.statusCode()).isEqualTo(404);
      assertThat(another.body()).isEqualTo(missing.body());

      List<String> spellings = new ArrayList<>();
      for (String id : List.of("201", "101")) {
        String last = id.substring(2);
        String head = id.substring(0, 2);
        spellings.addAll(List.of(
            "/reports/" + id,
            "/reports/" + head + "%3" + last,
            "/reports/0" + id,
            "/reports/" + id + "/",
            "/Reports/" + id,
            "/REPORTS/" + id,
            "/reports//" + id,
            "/reports/./" + id,
            "/reports/x/../" + id,
            "/reports/" + id + ";x=y",
            "/reports;x=y/" + id,
            "/reports/" + id + "%3B",
            "/reports/" + id + ".html",
            "/reports/" + id + "%20",
            "/reports/" + id + "%00",
            "/reports/" + head + "%EF%BC%9" + last,
            "/reports/" + id + "?id=999",
            "/reports/%2F" + id,
            "/reports/%252F" + id));
      }
      for (String path : spellings) {
        for (String method : List.of("GET", "HEAD")) {
          for (String accept : List.of("text/html", "application/json")) {
            HttpResponse<String> r = bob.send(HttpRequest.newBuilder(bob.uri(path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Accept", accept));
            String what = method + " " + path + " " + accept;
            assertThat(r.body()).as(what).doesNotContain("Riverside Care's");
            if (r.statusCode() == 200) {
              shown.add(what);
            }
          }
        }
      }
      assertThat(shown)
          .as("bob's own report is shown, so views can be seen")
          .contains("GET /reports/201 text/html", "HEAD /reports/201 text/html");
      List<JsonNode> views = portal.audited("report_view");
      long audited200 = views.stream()
          .filter(v -> v.path("user").asText().equals("u-1002"))
          .filter(v -> v.path("outcome").asText().equals("success"))
          .count();
      assertThat(audited200)
          .as("one successful report_view per answer showing a report: " + shown)
          .isEqualTo(shown.size());
    }
  }
}
