package dev.portcullis.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.access.internal.PathNormaliser;
import dev.portcullis.audit.AuditRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A {@link RequestPath} is the normaliser's reading of a path, and the rules that take one decide exactly as they do
 * from the path as sent: the filter reads each request's path once and hands the result to every check.
 */
class RequestPathTest {
  private final AccessPolicy policy = AccessPolicy.builder()
      .permitAll("/login", "/assets/**", "/search")
      .requireAnyRole("/reports/**", "PROVIDER")
      .authenticated("/account/*")
      .build();
  private final AuditRules rules = AuditRules.builder()
      .action("/reports/{id}", "report_view")
      .action("/account/**", "account_view")
      .searchEndpoint("/search", "q")
      .build();

  private static List<String> paths() {
    List<String> all = new ArrayList<>(AccessPolicyTest.trickyPaths());
    all.addAll(List.of(
        "/login",
        "/LOGIN",
        "/assets/app.css",
        "/search",
        "/Search",
        "/search/",
        "/account/settings",
        "/reports/%34%32",
        "/",
        "",
        "reports/1",
        "/" + "a".repeat(PathNormaliser.MAX_LENGTH)));
    return all;
  }

  @Test
  void of_isTheNormalisersReading_andEmptyWhereItRefuses() {
    for (String raw : paths()) {
      Optional<String> normal = PathNormaliser.normalise(raw);
      assertThat(RequestPath.of(raw).map(RequestPath::value)).as(raw).isEqualTo(normal);
    }
    assertThat(RequestPath.of(null)).isEmpty();
    assertThat(RequestPath.of("/Reports/%34%32").orElseThrow().value()).isEqualTo("/reports/42");
    assertThat(RequestPath.of("/Reports/42")).isEqualTo(RequestPath.of("/reports/%34%32"));
    assertThat(RequestPath.of("/reports/42")).isNotEqualTo(RequestPath.of("/reports/43"));
  }

  @Test
  void accessPolicy_decidesARequestPathAsThePathItWasReadFrom() {
    for (String raw : paths()) {
      for (Optional<Set<String>> roles : List.of(
          Optional.<Set<String>>empty(),
          Optional.of(Set.of("PROVIDER")),
          Optional.of(Set.<String>of()))) {
        AccessDecision fromRaw = policy.decide(raw, roles);
        AccessDecision fromRead =
            RequestPath.of(raw).map(p -> policy.decide(p, roles)).orElse(AccessDecision.BAD_PATH);
        assertThat(fromRead).as(raw + " " + roles).isEqualTo(fromRaw);
      }
    }
    assertThat(policy.decide(RequestPath.of("/REPORTS/1").orElseThrow(), Optional.empty()))
        .isEqualTo(AccessDecision.LOGIN_REQUIRED);
  }

  @Test
  void auditRules_matchARequestPathAsThePathItWasReadFrom() {
    for (String raw : paths()) {
      Optional<RequestPath> read = RequestPath.of(raw);
      assertThat(read.flatMap(rules::action)).as(raw).isEqualTo(rules.action(raw));
      assertThat(read.flatMap(rules::search).map(Arrays::asList))
          .as(raw)
          .isEqualTo(rules.search(raw).map(Arrays::asList));
    }
    assertThat(rules.action(RequestPath.of("/Reports/%34%32").orElseThrow()))
        .contains(new AuditRules.Match("report_view", "42"));
    assertThat(rules.search(RequestPath.of("/SEARCH").orElseThrow()).orElseThrow())
        .containsExactly("/search", "q");
  }
}
