package dev.portcullis.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.access.internal.PathNormaliser;
import dev.portcullis.user.PortalUser;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  private final AccessPolicy policy = AccessPolicy.builder()
      .permitAll("/login", "/privacy", "/assets/**")
      .requireAnyRole("/admin/**", "ADMIN")
      .requireAnyRole("/reports/**", "PROVIDER", "COUNCIL_OFFICER")
      .authenticated("/account")
      .build();
  private static final Optional<Set<String>> ANON = Optional.empty();
  private static final Optional<Set<String>> PROVIDER = Optional.of(Set.of("PROVIDER"));

  /** Variants of /reports/1 and /admin that an anonymous user must never get through as public. */
  static List<String> trickyPaths() {
    return List.of(
        "/reports/1",
        "/REPORTS/1",
        "/Reports/1",
        "/reports/1/",
        "/reports//1",
        "//reports/1",
        "/reports/./1",
        "/reports/../reports/1",
        "/assets/../reports/1",
        "/assets/..;/reports/1",
        "/assets/%2e%2e/reports/1",
        "/assets/%2E%2E/reports/1",
        "/assets/.%2e/reports/1",
        "/assets%2f..%2freports/1",
        "/assets%2F..%2Freports/1",
        "/assets/%252e%252e/reports/1",
        "/assets%252f..%252freports/1",
        "/reports;jsessionid=x/1",
        "/reports/1;jsessionid=abc",
        "/reports/1;",
        "/assets;/../reports/1",
        "/reports/1.",
        "/reports/1%2e",
        "/reports/1 ",
        "/reports/1%20",
        "/reports/1%00",
        "/reports/1%0a",
        "/reports/1%0d%0a",
        "/reports\\1",
        "/assets\\..\\reports\\1",
        "/assets/%5c../reports/1",
        "/reports/%31",
        "/%72eports/1",
        "/assets/..%00/reports/1",
        "/login/../reports/1",
        "/login;/../reports/1",
        "/login%3b/../reports/1",
        "/privacy/..%2freports/1",
        "/assets/%c0%ae%c0%ae/reports/1",
        "/rep%6frts/1",
        "/reports/\u00e9",
        "/reports%2f1",
        "/./reports/1",
        "/.reports/1",
        "/reports/1/.",
        "/reports/1/..",
        "/admin",
        "/ADMIN",
        "/admin/",
        "/admin.",
        "/admin%20",
        "/admin;x",
        "/assets/../admin",
        "/Admin/Users");
  }

  @Test
  void noVariantOfAProtectedPath_isAllowedAnonymously() {
    for (String p : trickyPaths()) {
      assertThat(policy.decide(p, ANON))
          .as(p)
          .isIn(AccessDecision.LOGIN_REQUIRED, AccessDecision.BAD_PATH);
    }
  }

  @Test
  void ambiguousPaths_areRefusedNotGuessed() {
    for (String p : List.of(
        "/assets/..;/reports/1",
        "/assets/%2e%2e/reports/1",
        "/assets%2f..%2freports/1",
        "/assets/%252e%252e/reports/1",
        "/reports//1",
        "/reports/1.",
        "/reports\\1",
        "/reports/1%00",
        "x",
        "",
        "/reports/" + "a".repeat(PathNormaliser.MAX_LENGTH))) {
      assertThat(policy.decide(p, PROVIDER)).as(p).isEqualTo(AccessDecision.BAD_PATH);
    }
  }

  @Test
  void rules_applyInOrder_withRolesAndFailClosedDefault() {
    assertThat(policy.decide("/login", ANON)).isEqualTo(AccessDecision.ALLOW);
    assertThat(policy.decide("/assets/css/site.css", ANON)).isEqualTo(AccessDecision.ALLOW);
    assertThat(policy.decide("/assets", ANON)).isEqualTo(AccessDecision.ALLOW);
    assertThat(policy.decide("/reports/1", PROVIDER)).isEqualTo(AccessDecision.ALLOW);
    assertThat(policy.decide("/REPORTS/1", PROVIDER)).isEqualTo(AccessDecision.ALLOW);
    assertThat(policy.decide("/reports/1", Optional.of(Set.of("OTHER"))))
        .isEqualTo(AccessDecision.FORBIDDEN);
    assertThat(policy.decide("/admin/x", PROVIDER)).isEqualTo(AccessDecision.FORBIDDEN);
    assertThat(policy.decide("/account", Optional.of(Set.of()))).isEqualTo(AccessDecision.ALLOW);
    assertThat(policy.decide("/unlisted", ANON))
        .as("fail closed")
        .isEqualTo(AccessDecision.LOGIN_REQUIRED);
    assertThat(policy.decide("/unlisted", PROVIDER)).isEqualTo(AccessDecision.ALLOW);
    assertThat(policy.decide("/loginx", ANON)).isEqualTo(AccessDecision.LOGIN_REQUIRED);
  }

  @Test
  void singleSegmentWildcard_matchesOneLevelOnly() {
    AccessPolicy p = AccessPolicy.builder().permitAll("/public/*").build();
    assertThat(p.decide("/public/a", ANON)).isEqualTo(AccessDecision.ALLOW);
    assertThat(p.decide("/public/a/b", ANON)).isEqualTo(AccessDecision.LOGIN_REQUIRED);
  }

  /**
   * JAX-RS, Javalin and others serve {@code /admin/} as {@code /admin}: a trailing slash must not take a logged-in user
   * past an exact or one-segment rule into the authenticated default.
   */
  @Test
  void trailingSlash_isHeldToTheRuleForThePathWithoutIt() {
    AccessPolicy p = AccessPolicy.builder()
        .permitAll("/help", "/docs/*")
        .requireAnyRole("/admin", "ADMIN")
        .requireAnyRole("/reports/*", "MANAGER")
        .requireAnyRole("/cases/**", "CASEWORKER")
        .build();
    Optional<Set<String>> nobody = Optional.of(Set.of("PROVIDER"));
    for (String path : List.of("/admin", "/admin/", "/ADMIN/", "/reports/7", "/reports/7/")) {
      assertThat(p.decide(path, nobody)).as(path).isEqualTo(AccessDecision.FORBIDDEN);
    }
    assertThat(p.decide("/cases/", nobody)).isEqualTo(AccessDecision.FORBIDDEN);
    assertThat(p.decide("/admin/", Optional.of(Set.of("ADMIN")))).isEqualTo(AccessDecision.ALLOW);
    assertThat(p.decide("/reports/7/", Optional.of(Set.of("MANAGER"))))
        .isEqualTo(AccessDecision.ALLOW);
    assertThat(p.decide("/docs/a/", ANON)).isEqualTo(AccessDecision.LOGIN_REQUIRED);
    assertThat(p.decide("/docs/a", ANON)).isEqualTo(AccessDecision.ALLOW);
    assertThat(p.decide("/help", ANON)).isEqualTo(AccessDecision.ALLOW);
    assertThat(p.decide("/", nobody)).isEqualTo(AccessDecision.ALLOW);
  }

  /**
   * Regression: a rule behind an earlier, wider rule that lets in more users was accepted and never reached, so
   * {@code /docs/internal/**} for ADMIN behind a public {@code /docs/**} (the order in which the adapters declare
   * public paths, role rules and authenticated paths) was public.
   */
  @Test
  void aRuleThatAnEarlierMorePermissiveRuleCovers_isRefused() {
    record Shadow(AccessPolicy.Builder builder, String shadowed, String by) {}
    for (Shadow shadow : List.of(
        new Shadow(
            AccessPolicy.builder()
                .permitAll("/docs/**")
                .requireAnyRole("/docs/internal/**", "ADMIN"),
            "'/docs/internal/**' of requireAnyRole(...)",
            "permitAll(...) pattern '/docs/**'"),
        new Shadow(
            AccessPolicy.builder().permitAll("/**").authenticated("/account"),
            "'/account' of authenticated(...)",
            "permitAll(...) pattern '/**'"),
        new Shadow(
            AccessPolicy.builder()
                .permitAll("/reports/*")
                .requireAnyRole("/reports/annual", "MANAGER"),
            "'/reports/annual' of requireAnyRole(...)",
            "permitAll(...) pattern '/reports/*'"),
        new Shadow(
            AccessPolicy.builder().permitAll("/a/**").requireAnyRole("/a/b/*", "ADMIN"),
            "'/a/b/*' of requireAnyRole(...)",
            "permitAll(...) pattern '/a/**'"),
        new Shadow(
            AccessPolicy.builder().permitAll("/admin/*").authenticated("/admin/*"),
            "'/admin/*' of authenticated(...)",
            "permitAll(...) pattern '/admin/*'"),
        new Shadow(
            AccessPolicy.builder().authenticated("/admin/**").requireAnyRole("/admin", "ADMIN"),
            "'/admin' of requireAnyRole(...)",
            "authenticated(...) pattern '/admin/**'"),
        new Shadow(
            AccessPolicy.builder()
                .requireAnyRole("/council/**", "COUNCIL_OFFICER", "PROVIDER")
                .requireAnyRole("/council/budget/**", "COUNCIL_OFFICER"),
            "'/council/budget/**' of requireAnyRole(...)",
            "requireAnyRole(...) pattern '/council/**'"))) {
      assertThatThrownBy(shadow.builder()::build)
          .as(shadow.shadowed())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("access pattern " + shadow.shadowed() + " is never reached")
          .hasMessageContaining("the earlier " + shadow.by());
    }
  }

  /**
   * A later rule that an earlier one only partly covers still decides the rest, and an earlier rule that is stricter
   * than a later one it covers fails closed: both are accepted.
   */
  @Test
  void partlyCoveredOrMoreStrictlyCoveredRules_areAccepted() {
    AccessPolicy partly = AccessPolicy.builder()
        .permitAll("/docs/*", "/council/public/**", "/login", "/login")
        .requireAnyRole("/docs/**", "EDITOR")
        .requireAnyRole("/council/**", "COUNCIL_OFFICER")
        .requireAnyRole("/council/budget/**", "COUNCIL_OFFICER", "TREASURER")
        .authenticated("/**")
        .build();
    assertThat(partly.decide("/docs/a", ANON)).isEqualTo(AccessDecision.ALLOW);
    assertThat(partly.decide("/docs/a/b", PROVIDER)).isEqualTo(AccessDecision.FORBIDDEN);
    assertThat(partly.decide("/council/public/x", ANON)).isEqualTo(AccessDecision.ALLOW);
    assertThat(partly.decide("/council/budget", PROVIDER)).isEqualTo(AccessDecision.FORBIDDEN);

    AccessPolicy stricterFirst =
        AccessPolicy.builder().authenticated("/**").permitAll("/login").build();
    assertThat(stricterFirst.decide("/login", ANON)).isEqualTo(AccessDecision.LOGIN_REQUIRED);
  }

  @Test
  void badPatterns_failAtBuildTime() {
    assertThatThrownBy(() -> AccessPolicy.builder().requireAnyRole("/admin/", "ADMIN"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not end in a slash");
    assertThatThrownBy(() -> AccessPolicy.builder().permitAll("/docs/"))
        .hasMessageContaining("must not end in a slash");
    assertThatThrownBy(() -> AccessPolicy.builder().permitAll("/Reports"))
        .hasMessageContaining("lower-case");
    assertThatThrownBy(() -> AccessPolicy.builder().permitAll("reports"))
        .hasMessageContaining("normalised");
    assertThatThrownBy(() -> AccessPolicy.builder().permitAll("/a/**/b"))
        .hasMessageContaining("/**");
    assertThatThrownBy(() -> AccessPolicy.builder().requireAnyRole("/a"))
        .hasMessageContaining("at least one role");
  }

  @Test
  void organisationScope_ownOrganisationOrCrossOrganisationRole() {
    OrganisationScope scope = new OrganisationScope(Set.of("COUNCIL_OFFICER"));
    PortalUser alice = new PortalUser("u-a", "A", "a@x", Set.of("PROVIDER"), "riverside", true, "");
    PortalUser carol =
        new PortalUser("u-c", "C", "c@x", Set.of("COUNCIL_OFFICER"), "council", true, "");
    PortalUser orphan = new PortalUser("u-o", "O", "o@x", Set.of("PROVIDER"), "", true, "");
    assertThat(scope.permits(alice, "riverside")).isTrue();
    assertThat(scope.permits(alice, "hillview")).isFalse();
    assertThat(scope.permits(carol, "hillview")).isTrue();
    assertThat(scope.permits(orphan, "")).isFalse();
  }
}
