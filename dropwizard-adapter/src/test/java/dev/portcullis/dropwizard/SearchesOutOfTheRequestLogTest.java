package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditRules;
import dev.portcullis.audit.SearchDemandEvent;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.RecordingSearchDemandSink;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.core.setup.Environment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.QueryParam;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dropwizard's request log, on by default with every client's address and time, beside the anonymous search-demand
 * log: a search is counted there without its visitor, and the request log keeps the search page's path but neither
 * the terms of its query string nor those of the {@code Referer} the next page brings, so the two logs cannot be
 * joined to say who searched for what. The audited action of the same user keeps its user.
 */
class SearchesOutOfTheRequestLogTest {
  private static final Pattern FORM_CSRF =
      Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]{43})\"");

  private static final String CONFIG =
      ConfigFileApp.LOOPBACK_SERVER + """
        requestLog:
          appenders:
            - type: file
              currentLogFilename: %s
              archive: false
      logging:
        level: WARN
      """ + ConfigFileApp.PORTCULLIS_BLOCK + """
        access:
          public-paths: [/login, /terms, /public/**]
      """;

  /** The reports portal with a public search of care services, counted in the search-demand log. */
  public static class SearchingPortalApp extends ReportsPortalApp {
    final RecordingSearchDemandSink searches = new RecordingSearchDemandSink();
    final RecordingAuditSink audit = new RecordingAuditSink();

    public SearchingPortalApp() {
      bundle.customize((config, builder) -> builder
          .auditSink(audit)
          .demandSink(searches)
          .auditRules(AuditRules.builder()
              .action("/reports/{id}", "report_view")
              .searchEndpoint("/public/search", "q")
              .build()));
    }

    @Override
    public void run(PortalApp.Config configuration, Environment environment) {
      super.run(configuration, environment);
      environment.jersey().register(new Search());
    }
  }

  /** The public directory of care services. */
  @jakarta.ws.rs.Path("/public/search")
  public static class Search {
    @GET
    public String search(@QueryParam("q") String q) {
      return "no care service matches";
    }
  }

  @Test
  void searches_leaveNoTermsInDropwizardsRequestLog_whileTheActionIsAuditedWithItsUser(
      @TempDir Path dir) throws Exception {
    Path requestLog = dir.resolve("requests.log");
    SearchingPortalApp app;
    String base;
    try (ConfigFileApp<PortalApp.Config> started =
        ConfigFileApp.start(SearchingPortalApp.class, dir, CONFIG.formatted(requestLog))) {
      app = started.application();
      base = started.base();

      TestBrowser visitor = new TestBrowser(base);
      assertThat(visitor.get("/public/search?q=Riverside+dementia+respite").statusCode())
          .isEqualTo(200);

      TestBrowser bob = new TestBrowser(base);
      String token = TestBrowser.csrfToken(FORM_CSRF, bob.get("/login").body()).orElseThrow();
      HttpResponse<String> login =
          bob.post("/login", Map.of("username", "bob", "password", "bob-pw", "_csrf", token));
      assertThat(login.headers().firstValue("Location")).hasValue("/");
      assertThat(bob.get("/public/search?q=Hillview+autism+outreach").statusCode())
          .isEqualTo(200);
      // The next page, as a browser asks for it: the search page's address as the Referer.
      HttpResponse<String> report = bob.send(HttpRequest.newBuilder(bob.uri("/reports/101"))
          .header("Referer", base + "/public/search?q=Hillview+autism+outreach#results")
          .GET());
      assertThat(report.statusCode()).isEqualTo(200);
      assertThat(app.bundle.portcullis().audit().flush(Duration.ofSeconds(10))).isTrue();
    } // stopped: the request log's appender and the search-demand buckets are written out

    AuditEvent view = app.audit.assertOnce(AuditEventType.of("report_view"));
    assertThat(view.actor().orElseThrow().userHandle()).isEqualTo("u-bob");
    assertThat(app.searches.events())
        .extracting(SearchDemandEvent::terms)
        .containsExactlyInAnyOrder("hillview autism outreach", "riverside dementia respite");

    String logged = Files.readString(requestLog, StandardCharsets.UTF_8);
    List<String> lines = logged.lines().toList();
    assertThat(lines)
        .as("the request log records the searches and the report view")
        .anyMatch(l -> l.contains("\"GET /public/search HTTP/1.1\" 200"))
        .anyMatch(l -> l.contains("\"GET /reports/101 HTTP/1.1\" 200")
            && l.contains("\"" + base + "/public/search\""));
    assertThat(logged.toLowerCase(Locale.ROOT))
        .as("the request log")
        .doesNotContain("riverside", "dementia", "respite", "hillview", "autism", "outreach");
  }
}
