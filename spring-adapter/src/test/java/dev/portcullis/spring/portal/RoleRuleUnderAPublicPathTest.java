package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Regression: the starter declares {@code portcullis.access.public-paths} ahead of {@code portcullis.access.rules}, so
 * a role rule under a public subtree was never reached and its pages were served to anyone. Start-up now fails, naming
 * both patterns.
 */
class RoleRuleUnderAPublicPathTest {
  @Test
  void aRoleRuleUnderAPublicSubtree_failsStartUp_namingBothPatterns() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(TestPortal.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "portcullis.transport.canonical-host=portal.example",
                "portcullis.login.terms-version=2026-01",
                "portcullis.access.public-paths=/login,/terms,/docs/**",
                "portcullis.access.rules[0].pattern=/docs/internal/**",
                "portcullis.access.rules[0].roles=ADMIN",
                "portcullis.access.authenticated-paths=/**")
            .run())
        .hasStackTraceContaining("AccessPolicy: access pattern '/docs/internal/**' of"
            + " requireAnyRole(...) is never reached")
        .hasStackTraceContaining("'/docs/**'");
  }
}
