package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.testing.TestBrowser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audited actions and search endpoints of the {@code portcullis.audit} block ({@code actions}, {@code
 * search-endpoints}) and where the anonymous search-demand log goes ({@code search-demand.sink}, {@code
 * search-demand.file}), read by a real Dropwizard start from a configuration file: a configured action is audited with
 * its user, a configured search is counted in the search-demand file without its visitor; an entry the core refuses,
 * or a file sink without its own file, stops the start naming the setting.
 */
class AuditRulesSettingsTest {
  /** The configuration, its {@code audit:} block left to each test (indented to sit under {@code portcullis:}). */
  private static final String CONFIG =
      ConfigFileApp.LOOPBACK_SERVER + """
      logging:
        level: WARN
      """ + ConfigFileApp.PORTCULLIS_BLOCK + """
        access:
          public-paths: [/login, /terms, /status/**]
        audit:
      %s""";

  private static String config(String audit) {
    return CONFIG.formatted(audit.indent(4));
  }

  @Test
  void actionsSearchEndpointsAndSearchDemandFile_fromTheYamlBlock_auditTheActionAndCountTheSearch(
      @TempDir Path dir) throws Exception {
    Path demandFile = dir.resolve("search-demand.jsonl");
    String audit = """
        actions:
          - pattern: /reports
            action: report_list
        search-endpoints:
          - path: /status
            parameter: q
        search-demand:
          sink: json-lines
          file: %s
        """.formatted(demandFile);
    PortalApp app;
    try (ConfigFileApp<PortalApp.Config> started =
        ConfigFileApp.start(PortalApp.class, dir, config(audit))) {
      app = started.application();
      TestBrowser visitor = new TestBrowser(started.base());
      assertThat(visitor.get("/status?q=Riverside+respite").statusCode()).isEqualTo(200);

      TestBrowser alice = new TestBrowser(started.base());
      assertThat(SessionAndCookieSettingsTest.login(alice, "alice", "alice-pw").statusCode())
          .isEqualTo(303);
      assertThat(alice.get("/reports").statusCode()).isEqualTo(200);
    } // stopped: the filter has recorded the answered action, the search-demand bucket is written
    // out

    AuditEvent listed = app.sink.assertOnce(AuditEventType.of("report_list"));
    assertThat(listed.actor().orElseThrow().userHandle()).isEqualTo("u-alice");

    String demand = Files.readString(demandFile, StandardCharsets.UTF_8);
    assertThat(demand).contains("riverside respite").doesNotContain("u-alice");
    assertThat(app.sink.events())
        .as("the search is not an identified event")
        .noneMatch(e -> e.toString().contains("respite"));
  }

  @Test
  void refusedEntriesAndFiles_stopTheStart_namingTheSetting(@TempDir Path dir) {
    Path auditFile = dir.resolve("audit.jsonl");
    for (String[] bad : new String[][] {
      {
        "actions:\n  - pattern: /Reports\n    action: report_list\n",
        "portcullis.audit.actions[0] was refused"
      },
      {
        "actions:\n  - pattern: /reports\n    action: report_list\n"
            + "  - pattern: /admin\n    action: Admin View\n",
        "portcullis.audit.actions[1] was refused"
      },
      {"actions:\n  - pattern: /reports\n", "portcullis.audit.actions[0].action"},
      {
        "search-endpoints:\n  - path: /Search\n    parameter: q\n",
        "portcullis.audit.search-endpoints[0] was refused"
      },
      {"search-endpoints:\n  - path: /search\n", "portcullis.audit.searchEndpoints[0].parameter"},
      {
        "search-demand:\n  sink: json-lines\n",
        "portcullis.audit.search-demand.sink is json-lines but portcullis.audit.search-demand.file is not set"
      },
      {"search-demand:\n  sink: syslog\n", "portcullis.audit.searchDemand.sink"},
      {
        "sink: json-lines\nfile: " + auditFile + "\nsearch-demand:\n  sink: json-lines\n  file: "
            + auditFile + "\n",
        "portcullis.audit.search-demand.file is portcullis.audit.file"
      }
    }) {
      Throwable failure = catchThrowable(
          () -> ConfigFileApp.start(PortalApp.class, dir, config(bad[0])).close());
      assertThat(failure).as(bad[0]).isNotNull();
      assertThat(failure.getMessage()).as(bad[0]).contains(bad[1]);
    }
  }
}
