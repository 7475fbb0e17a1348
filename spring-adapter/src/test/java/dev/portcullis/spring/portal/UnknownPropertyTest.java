package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.spring.child.ChildPortal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code portcullis.*} property the starter does not know, set where an application sets its configuration, stops
 * start-up and is named, so that a misspelt setting cannot leave its default in place unnoticed; its value is never
 * shown, as it may be a secret.
 */
class UnknownPropertyTest {
  private static Map<String, String> keyRing() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return Map.of(
        "PORTCULLIS_KEY_RING",
        "key 0a1b2c3d ACTIVE 2026-01-01T00:00:00Z "
            + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
  }

  @Test
  void misspeltProperty_failsStartUp_namingIt_andWhereItWasSet_withoutItsValue(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("application.properties");
    Files.writeString(
        file,
        "portcullis.login.terms-version=2026-01\nportcullis.cookies.session.same-sit=strict\n");
    try (ChildJvm app = ChildJvm.start(
        ChildPortal.class,
        keyRing(),
        "--server.port=0",
        "--server.address=127.0.0.1",
        "--spring.config.additional-location=file:" + file,
        "--portcullis.transport.development-mode=true",
        "--portcullis.session.idle-timout=5m",
        "--portcullis.sso.client-secrett=not-for-the-log-4711")) {
      assertThat(app.awaitFailedStart()).as(app.output()).isNotZero();
      String output = app.output();
      assertThat(output)
          .contains("APPLICATION FAILED TO START")
          .contains("portcullis.session.idle-timout (property source commandLineArgs)")
          .contains("portcullis.sso.client-secrett (property source commandLineArgs)")
          .contains("portcullis.cookies.session.same-sit (URL [file:" + file + "] - 2:")
          .doesNotContain("not-for-the-log-4711");
    }
  }

  /**
   * Regression: Spring Boot leaves environment variables and system properties out of its check for unknown
   * properties, so a role rule misspelt there ({@code PORTCULLIS_ACESS_RULES_0_PATTERN}) never applied and its pages
   * needed only a login. Start-up now fails, naming each setting, where it was set and the property nearest to it.
   */
  @Test
  void misspeltEnvironmentVariablesAndSystemProperties_failStartUp_namingTheNearestProperty()
      throws Exception {
    Map<String, String> env = new java.util.HashMap<>(keyRing());
    env.put("PORTCULLIS_ACESS_RULES_0_PATTERN", "/secret");
    env.put("PORTCULLIS_ACESS_RULES_0_ROLES", "COUNCIL_OFFICER");
    env.put("PORTCULLIS_SESSION_IDLE_TIMOUT", "5m");
    env.put("portcullis_cookies_name_prefx", "staff");
    try (ChildJvm app = ChildJvm.start(
        ChildPortal.class,
        env,
        java.util.List.of(
            "-Dportcullis.session.max-per-usr=1",
            "-Dportcullis.acess.authenticated-paths=/**",
            "-Dportcullis.build.dir=/tmp"),
        "--server.port=0",
        "--server.address=127.0.0.1",
        "--portcullis.login.terms-version=2026-01",
        "--portcullis.transport.development-mode=true",
        "--portcullis.access.public-paths=/login,/terms",
        "--portcullis.access.authenticated-paths=/**")) {
      Integer port = app.awaitPortOrExit();
      if (port != null) {
        Browser browser = new Browser("http://127.0.0.1:" + port);
        assertThat(browser.login("alice", "alice-pw").statusCode()).isEqualTo(303);
        HttpResponse<String> secret = browser.get("/secret");
        assertThat(secret.statusCode() + " " + secret.body())
            .as("alice, a provider, asks for /secret, meant for council officers only")
            .doesNotStartWith("200");
      }
      assertThat(port).as("the application started:\n%s", app.output()).isNull();
      assertThat(app.awaitExit()).as(app.output()).isNotZero();
      assertThat(app.output())
          .contains("APPLICATION FAILED TO START")
          .contains("portcullis.acess.rules[0].pattern (environment variable"
              + " PORTCULLIS_ACESS_RULES_0_PATTERN), did you mean PORTCULLIS_ACCESS_RULES_0_PATTERN"
              + " (portcullis.access.rules[0].pattern)?")
          .contains("(environment variable PORTCULLIS_SESSION_IDLE_TIMOUT), did you mean"
              + " PORTCULLIS_SESSION_IDLE_TIMEOUT (portcullis.session.idle-timeout)?")
          .contains(
              "portcullis.session.max-per-usr (property source systemProperties), did you mean"
                  + " portcullis.session.max-per-user?")
          .contains("portcullis.acess.authenticated-paths (property source systemProperties)")
          .contains("(environment variable portcullis_cookies_name_prefx), did you mean"
              + " PORTCULLIS_COOKIES_NAME_PREFIX (portcullis.cookies.name-prefix)?")
          .doesNotContain("portcullis.build.dir")
          .doesNotContain("PORTCULLIS_KEY_RING (")
          .doesNotContain("COUNCIL_OFFICER");
    }
  }
}
