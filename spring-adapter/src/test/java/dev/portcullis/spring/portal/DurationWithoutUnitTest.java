package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Regression: a duration property without a unit was read by Spring Boot as milliseconds, so {@code
 * portcullis.transport.hsts-max-age=31536000} (the header's seconds for a year) sent {@code max-age=31536}, under nine
 * hours, and {@code portcullis.session.anonymous-session-window=60} made the anonymous-session limit's window 60 ms,
 * while the WAR's settings and the Dropwizard block refuse a bare number. Start-up now fails, naming each such
 * property and where it was set.
 */
@ExtendWith(OutputCaptureExtension.class)
class DurationWithoutUnitTest {
  private static SpringApplicationBuilder portal() {
    return new SpringApplicationBuilder(TestPortal.class)
        .properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "portcullis.transport.canonical-host=portal.example",
            "portcullis.login.terms-version=2026-01",
            "portcullis.access.public-paths=/login,/terms",
            "portcullis.access.authenticated-paths=/**");
  }

  @Test
  void bareNumbers_failStartUp_namingEachPropertyAndWhereItWasSet(CapturedOutput output) {
    assertThatThrownBy(() -> portal()
            .run(
                "--portcullis.transport.hsts-max-age=31536000",
                "--portcullis.session.anonymous-session-window=60"))
        .hasStackTraceContaining("a duration without a unit")
        .hasStackTraceContaining(
            "portcullis.transport.hsts-max-age (property source commandLineArgs)")
        .hasStackTraceContaining(
            "portcullis.session.anonymous-session-window (property source commandLineArgs)");
    assertThat(output.getAll())
        .contains("APPLICATION FAILED TO START")
        .contains("Give each duration its unit");
  }

  @Test
  void aYamlNumber_failsStartUp_namingTheFileAndLine(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("portal.yml");
    Files.writeString(yaml, "portcullis:\n  transport:\n    hsts-max-age: 31536000\n");

    assertThatThrownBy(() -> portal().run("--spring.config.additional-location=file:" + yaml))
        .hasStackTraceContaining("portcullis.transport.hsts-max-age (URL [file:" + yaml + "] - 3:");
  }

  @Test
  void durationsWithTheirUnits_start() {
    try (ConfigurableApplicationContext context = portal()
        .run(
            "--portcullis.transport.hsts-max-age=365d",
            "--portcullis.session.anonymous-session-window=PT1M")) {
      assertThat(context.isRunning()).isTrue();
    }
  }

  /** Zero is zero in every unit: an HSTS max-age of 0, which switches HSTS off, needs none. */
  @Test
  void zeroWithoutAUnit_starts() {
    try (ConfigurableApplicationContext context =
        portal().run("--portcullis.transport.hsts-max-age=0")) {
      assertThat(context.isRunning()).isTrue();
    }
  }
}
