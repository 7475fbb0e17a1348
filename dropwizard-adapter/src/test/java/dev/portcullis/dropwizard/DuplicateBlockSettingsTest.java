package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a name given twice in the {@code portcullis:} block took the last value without a word (Dropwizard reads
 * the YAML into a tree, where a later name replaces an earlier one), so a second {@code rules:} below the reviewed
 * ones left {@code /admin/**} open to every user who could log in. A name given twice in the block now stops the start,
 * naming it; the rest of the application's configuration is read as before. A real Dropwizard start from a YAML file.
 */
class DuplicateBlockSettingsTest {
  private static final String SERVER = ConfigFileApp.LOOPBACK_SERVER + """
      logging:
        level: WARN
      """;

  private static final String BLOCK = ConfigFileApp.PORTCULLIS_BLOCK + """
        access:
          public-paths: [/login, /terms, /status/**]
          rules:
            - pattern: /admin/**
              roles: [ADMIN]
      """;

  @TempDir
  Path dir;

  /** Starts {@link PortalApp} from {@code yaml}; the start's failure, or null when it started. */
  private Throwable start(String yaml) {
    return catchThrowable(() -> ConfigFileApp.start(PortalApp.class, dir, yaml).close());
  }

  @Test
  void aRuleListGivenTwice_stopsTheStart_namingIt() throws Exception {
    Throwable failure = start(SERVER + BLOCK + """
            rules: []
        """);

    assertThat(failure).as("the start").isNotNull();
    assertThat(failure)
        .hasStackTraceContaining("the configuration gives portcullis.access.rules more than once");
  }

  @Test
  void aSettingGivenTwiceInAListEntry_stopsTheStart_namingItsPlace() throws Exception {
    Throwable failure = start(SERVER + BLOCK + """
                roles: [USER]
        """);

    assertThat(failure).as("the start").isNotNull();
    assertThat(failure)
        .hasStackTraceContaining(
            "the configuration gives portcullis.access.rules.[0].roles more than once");
  }

  @Test
  void theBlockGivenTwice_stopsTheStart() throws Exception {
    Throwable failure = start(SERVER + BLOCK + ConfigFileApp.PORTCULLIS_BLOCK);

    assertThat(failure).as("the start").isNotNull();
    assertThat(failure)
        .hasStackTraceContaining("the configuration gives portcullis more than once");
  }

  @Test
  void aNameGivenTwiceOutsideTheBlock_isTheApplicationsAffair() throws Exception {
    Throwable failure = start(SERVER + """
          level: INFO
        """ + BLOCK);

    assertThat(failure).as("the start, with logging.level given twice").isNull();
  }
}
