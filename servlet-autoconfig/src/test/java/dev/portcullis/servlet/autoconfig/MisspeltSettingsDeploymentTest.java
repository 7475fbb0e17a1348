package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestBrowser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a setting meant for Portcullis but not spelt as its property (with a capital letter, as a lower-case
 * environment variable, as a servlet context parameter, as a system property) was passed over as the application's
 * own, so the deployment ran with the default: a role rule written that way never applied, and any user who could log
 * in was served the administrators' pages. Each now fails the deployment, naming the setting and the property nearest
 * to it. On a real Jetty over HTTP, with alice, a provider who is no administrator.
 */
class MisspeltSettingsDeploymentTest {
  @TempDir
  Path dir;

  /**
   * Deploys with {@code settings} as environment variables, which must be refused: the start's failure. Should it
   * start, alice logs in and must not be served {@code /admin/users}.
   */
  private Throwable refused(
      Map<String, String> settings, Map<String, String> initParameters, Set<String> properties)
      throws Exception {
    Throwable failure = null;
    WarNode node = null;
    try {
      node = WarNode.start(WarNode.environment(dir, settings), initParameters, properties);
    } catch (Exception e) {
      failure = e;
    }
    if (node != null) {
      try (WarNode started = node) {
        TestBrowser browser = new TestBrowser(started.base());
        assertThat(WarNode.logIn(browser).statusCode()).isEqualTo(303);
        HttpResponse<String> admin = browser.get("/admin/users");
        assertThat(admin.statusCode() + " " + admin.body())
            .as("alice, no administrator, asks for /admin/users")
            .doesNotStartWith("200");
      }
    }
    assertThat(failure).as("the deployment starts").isNotNull();
    return failure;
  }

  private Map<String, String> settingsFile(String text) throws Exception {
    Path file = dir.resolve("deployment.properties");
    Files.writeString(file, text);
    return Map.of(PortcullisSettings.CONFIG_VARIABLE, file.toString());
  }

  @Test
  void aRoleRuleSpeltWithACapital_inTheSettingsFile_failsTheDeployment_namingTheProperty()
      throws Exception {
    Throwable failure = refused(
        settingsFile(
            "Portcullis.access.rules[0].pattern=/admin/**\nPortcullis.access.rules[0].roles=ADMIN\n"),
        Map.of(),
        Set.of());
    assertThat(failure)
        .hasMessageContaining("unknown setting Portcullis.access.rules[0].pattern in")
        .hasMessageContaining("did you mean portcullis.access.rules[0].pattern?")
        .hasMessageContaining("did you mean portcullis.access.rules[0].roles?")
        .hasMessageNotContaining("/admin/**");
  }

  @Test
  void aRoleRuleInLowerCaseEnvironmentVariables_failsTheDeployment_namingTheVariable()
      throws Exception {
    Throwable failure = refused(
        Map.of(
            "portcullis_access_rules_0_pattern", "/admin/**",
            "portcullis_access_rules_0_roles", "ADMIN"),
        Map.of(),
        Set.of());
    assertThat(failure)
        .hasMessageContaining("unknown environment variable portcullis_access_rules_0_pattern")
        .hasMessageContaining(
            "did you mean PORTCULLIS_ACCESS_RULES_0_PATTERN (portcullis.access.rules[0].pattern)?");
  }

  @Test
  void aRoleRuleAsServletContextParameters_failsTheDeployment_sayingWhereSettingsGo()
      throws Exception {
    Throwable failure = refused(
        Map.of(),
        Map.of(
            "portcullis.access.rules[0].pattern", "/admin/**",
            "portcullis.access.rules[0].roles", "ADMIN"),
        Set.of());
    assertThat(failure)
        .hasMessageContaining("portcullis.access.rules[0].pattern is set as a servlet context"
            + " parameter, where Portcullis reads no settings")
        .hasMessageContaining("(PORTCULLIS_ACCESS_RULES_0_ROLES)");
  }

  @Test
  void aRoleRuleAsSystemProperties_failsTheDeployment_sayingWhereSettingsGo() throws Exception {
    Throwable failure = refused(
        Map.of(),
        Map.of(),
        Set.of("portcullis.access.rules[0].pattern", "portcullis.access.rules[0].roles"));
    assertThat(failure)
        .hasMessageContaining(
            "portcullis.access.rules[0].pattern is set as a system property, where"
                + " Portcullis reads no settings")
        .hasMessageContaining("(PORTCULLIS_ACCESS_RULES_0_PATTERN)");
  }

  /** What is not meant for Portcullis never stops the application, and the rule spelt right applies. */
  @Test
  void theApplicationsOwnSettings_andOtherPortcullisSystemProperties_startTheDeployment()
      throws Exception {
    Map<String, String> settings = new HashMap<>(settingsFile(
        "portcullis.access.rules[0].pattern=/admin/**\nportcullis.access.rules[0].roles=ADMIN\n"
            + "portcullisTheme=dark\nportal.portcullis.colour=red\n"));
    settings.put("PORTCULLISAPP_MODE", "x");
    settings.put("MY_PORTCULLIS_THEME", "dark");
    try (WarNode node = WarNode.start(
        WarNode.environment(dir, settings),
        Map.of("org.eclipse.jetty.servlet.Default.dirAllowed", "false", "portcullisTheme", "x"),
        Set.of("portcullis.root.dir", "portcullis.vectors.dir", "user.home"))) {
      TestBrowser browser = new TestBrowser(node.base());
      assertThat(WarNode.logIn(browser).statusCode()).isEqualTo(303);
      assertThat(browser.get("/admin/users").statusCode()).isEqualTo(403);
      assertThat(browser.get("/whoami").body()).startsWith("u-alice ");
    }
  }
}
