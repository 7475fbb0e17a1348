package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.access.RequestPath;
import org.junit.jupiter.api.Test;

/** Which paths {@link AuditRules} audits as actions and counts as searches. */
class AuditRulesTest {
  private final AuditRules rules = AuditRules.builder()
      .action("/reports/{org}/{id}", "report_view")
      .action("/exports/**", "export_download")
      .searchEndpoint("/search", "q")
      .build();

  @Test
  void resource_keepsTheLetterCaseSent_whileTheRuleMatchesAnyCase() {
    AuditRules rules =
        AuditRules.builder().action("/reports/{id}", "report_view").build();
    assertThat(rules.action("/Reports/Q3-Report%41/"))
        .hasValue(new AuditRules.Match("report_view", "Q3-ReportA"));
    assertThat(rules.action("/reports/q3-reporta"))
        .hasValue(new AuditRules.Match("report_view", "q3-reporta"));
    AuditRules whole = AuditRules.builder().action("/council", "council_view").build();
    assertThat(whole.action("/COUNCIL/"))
        .hasValue(new AuditRules.Match("council_view", "/COUNCIL"));
    assertThat(RequestPath.of("/A%42c").orElseThrow().decoded()).isEqualTo("/ABc");
    assertThat(RequestPath.of("/A%42c").orElseThrow().value()).isEqualTo("/abc");
  }

  @Test
  void placeholder_givesTheResource() {
    assertThat(rules.action("/reports/riverside/42"))
        .contains(new AuditRules.Match("report_view", "42"));
    assertThat(rules.action("/Reports/Riverside/%34%32"))
        .contains(new AuditRules.Match("report_view", "42"));
    assertThat(rules.action("/reports/riverside")).isEmpty();
    assertThat(rules.action("/reports/riverside/42/pdf")).isEmpty();
    assertThat(rules.action("/exports/a/b"))
        .map(AuditRules.Match::action)
        .contains("export_download");
  }

  /**
   * JAX-RS, Javalin and others serve {@code /reports/riverside/42/} as {@code /reports/riverside/42}: the report is
   * still viewed, so it is still audited (and refused while the audit log is down).
   */
  @Test
  void trailingSlash_isAuditedAsThePathWithoutIt() {
    assertThat(rules.action("/reports/riverside/42/"))
        .contains(new AuditRules.Match("report_view", "42"));
    assertThat(rules.action("/exports/")).map(AuditRules.Match::action).contains("export_download");
    assertThat(rules.search("/search/"))
        .hasValueSatisfying(s -> assertThat(s).containsExactly("/search", "q"));
    assertThat(rules.search("/search"))
        .hasValueSatisfying(s -> assertThat(s).containsExactly("/search", "q"));
    assertThat(rules.action("/reports/riverside//")).isEmpty();
  }

  /**
   * An {@code OPTIONS} asks which methods the path allows and never runs the page: recorded as {@code report_view}, a
   * provider's {@code OPTIONS} of another organisation's report was a successful view that never happened.
   */
  @Test
  void optionsAndTrace_areNoAction_headAndEveryOtherMethodAre() {
    RequestPath report = RequestPath.of("/reports/riverside/42").orElseThrow();
    AuditRules.Match view = new AuditRules.Match("report_view", "42");
    for (String method : new String[] {"OPTIONS", "options", "TRACE", "Trace"}) {
      assertThat(rules.action(method, report)).as(method).isEmpty();
    }
    for (String method :
        new String[] {"GET", "HEAD", "head", "POST", "PUT", "DELETE", "PROPFIND"}) {
      assertThat(rules.action(method, report)).as(method).contains(view);
    }
    RequestPath other = RequestPath.of("/other/42").orElseThrow();
    assertThat(rules.action("GET", other)).isEmpty();
    assertThatThrownBy(() -> rules.action(null, report)).isInstanceOf(NullPointerException.class);
  }

  /** A {@code HEAD} of the search page runs the search but shows it to nobody: no person's search, not counted. */
  @Test
  void onlyGetAndPost_areSearches() {
    RequestPath search = RequestPath.of("/search").orElseThrow();
    for (String method : new String[] {"GET", "get", "POST"}) {
      assertThat(rules.search(method, search))
          .as(method)
          .hasValueSatisfying(s -> assertThat(s).containsExactly("/search", "q"));
    }
    for (String method : new String[] {"HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
      assertThat(rules.search(method, search)).as(method).isEmpty();
    }
    assertThat(rules.search("GET", RequestPath.of("/reports").orElseThrow())).isEmpty();
  }

  @Test
  void patternsEndingInASlash_failAtBuildTime() {
    assertThatThrownBy(() -> AuditRules.builder().action("/reports/{id}/", "report_view"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not end in a slash");
    assertThatThrownBy(() -> AuditRules.builder().searchEndpoint("/search/", "q"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not end in a slash");
  }
}
