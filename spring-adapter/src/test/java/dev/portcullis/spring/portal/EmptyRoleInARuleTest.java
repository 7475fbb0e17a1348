package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Regression: a role rule whose roles held an empty entry ({@code portcullis.access.rules[0].roles=ADMIN,} with a
 * trailing comma, or an empty indexed entry) started, with a rule that an account given an empty role by its directory
 * would match. Start-up now fails, naming the rule's pattern.
 */
class EmptyRoleInARuleTest {
  @Test
  void aRoleRuleWithAnEmptyRole_failsStartUp() {
    for (String[] roles : new String[][] {
      {"portcullis.access.rules[0].roles=ADMIN,"},
      {"portcullis.access.rules[0].roles[0]=ADMIN", "portcullis.access.rules[0].roles[1]="}
    }) {
      assertThatThrownBy(() -> new SpringApplicationBuilder(TestPortal.class)
              .properties(
                  "server.port=0",
                  "server.address=127.0.0.1",
                  "portcullis.transport.canonical-host=portal.example",
                  "portcullis.login.terms-version=2026-01",
                  "portcullis.access.public-paths=/login,/terms",
                  "portcullis.access.rules[0].pattern=/admin/**")
              .properties(roles)
              .run()
              .close())
          .as(String.join(" ", roles))
          .hasStackTraceContaining("requireAnyRole for /admin/** names an empty role");
    }
  }
}
