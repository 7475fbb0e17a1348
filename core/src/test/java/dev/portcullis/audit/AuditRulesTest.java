package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which paths {@link AuditRules} audits as actions and counts as searches. */
class AuditRulesTest {
  private final AuditRules rules = AuditRules.builder()
      .action("/reports/{org}/{id}", "report_view")
      .action("/exports/**", "export_download")
      .searchEndpoint("/search", "q")
      .build();

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
