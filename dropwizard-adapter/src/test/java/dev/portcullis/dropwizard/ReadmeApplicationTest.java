package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.dropwizard.readme.PortalApplication;
import dev.portcullis.testing.TestBrowser;
import io.dropwizard.testing.ConfigOverride;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Dropwizard start, run as the README shows it: its {@code portcullis:} YAML block (read from README.md,
 * with the key file, the audit file and development mode set for this machine) and its application class, which
 * {@code DocumentationSnippetsTest} checks the README holds character for character. A newcomer who copies both gets
 * a login page, a login, the protected page, an audited view of it and a logout.
 */
class ReadmeApplicationTest {
  private static final Pattern CSRF =
      Pattern.compile("name=\"?_csrf\"? value=\"([A-Za-z0-9_-]{43})\"");

  /** The first {@code yaml} block after the README's Dropwizard heading. */
  static String readmeYaml() throws Exception {
    String readme = Files.readString(
        Path.of(System.getProperty("portcullis.root.dir", "..")).resolve("README.md"));
    String section = readme.substring(readme.indexOf("\n## Dropwizard\n"));
    Matcher yaml = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(yaml.find())
        .as("a yaml block in the README's Dropwizard section")
        .isTrue();
    return yaml.group(1);
  }

  @Test
  void theReadmeApplication_withTheReadmeYaml_logsIn_servesAndAuditsTheReport_andLogsOut(
      @TempDir Path dir) throws Exception {
    Path audit = dir.resolve("audit.log");
    // Dropwizard's own block, on loopback and free ports; the portcullis: block as the README has
    // it.
    try (ConfigFileApp<PortalApplication.Settings> started = ConfigFileApp.start(
        PortalApplication.class,
        dir,
        ConfigFileApp.LOOPBACK_SERVER + readmeYaml(),
        ConfigOverride.config("portcullis.audit.file", audit.toString()),
        ConfigOverride.config("portcullis.transport.development-mode", "true"))) {
      TestBrowser browser = new TestBrowser(started.base());

      HttpResponse<String> anonymous = browser.get("/reports/q3");
      assertThat(anonymous.statusCode()).isEqualTo(303);
      assertThat(anonymous.headers().firstValue("Location"))
          .hasValue("/login?returnTo=%2Freports%2Fq3");

      HttpResponse<String> loginPage = browser.get("/login?returnTo=%2Freports%2Fq3");
      assertThat(loginPage.statusCode()).as(loginPage.body()).isEqualTo(200);
      Map<String, String> form = new LinkedHashMap<>();
      form.put("username", "provider");
      form.put("password", "provider-pass");
      form.put("acceptTerms", "yes");
      form.put("_csrf", TestBrowser.csrfToken(CSRF, loginPage.body()).orElseThrow());
      form.put("returnTo", "/reports/q3");
      HttpResponse<String> login = browser.post("/login", form);
      assertThat(login.statusCode()).isEqualTo(303);
      assertThat(login.headers().firstValue("Location")).hasValue("/reports/q3");

      HttpResponse<String> report = browser.get("/reports/q3");
      assertThat(report.statusCode()).isEqualTo(200);
      assertThat(report.body()).contains("report q3 for u-provider");
      assertThat(report.headers().firstValue("Cache-Control")).hasValue("no-store");

      String token = TestBrowser.csrfToken(CSRF, report.body()).orElseThrow();
      HttpResponse<String> logout = browser.post("/logout", Map.of("_csrf", token));
      assertThat(logout.statusCode()).isEqualTo(303);
      assertThat(browser.cookies()).isEmpty();
      assertThat(browser.get("/reports/q3").statusCode()).isEqualTo(303);
    }
    assertThat(Files.readString(audit))
        .contains("\"type\":\"report_view\"")
        .contains("\"resource\":\"q3\"")
        .contains("\"type\":\"logout\"");
  }
}
