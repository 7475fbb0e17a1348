package dev.portcullis.servlet.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.portcullis.crypto.KeyRingSources;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the key file ({@code portcullis.keys.file}) and the settings file ({@code PORTCULLIS_CONFIG}) were read
 * whole, whatever they were: a named pipe in their place held the deployment's start until another process wrote to
 * it, and a device or a file of gigabytes was read into memory. Each is now refused before it is read, naming the
 * file and what is there. On a real Jetty, through the servlet container initializer.
 */
class KeyAndSettingsFilesDeploymentTest {
  /** Far longer than any refusal takes; only a start that waits on a pipe comes near it. */
  private static final Duration HANG = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  void keyFileThatIsANamedPipe_failsTheStartInsteadOfHoldingIt() throws Exception {
    Path pipe = namedPipe("keys.pipe");

    Throwable failure = refused(keyFileSetting(pipe));

    assertThat(failure)
        .hasStackTraceContaining("key file " + pipe)
        .hasStackTraceContaining("is not a regular file (a named pipe, a device or a socket)");
  }

  @Test
  void keyFileOfTwoGigabytes_failsTheStartBeforeItIsRead() throws Exception {
    Path huge = dir.resolve("huge-keys.txt");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(2L * 1024 * 1024 * 1024); // sparse: no disk space taken
    }

    Throwable failure = refused(keyFileSetting(huge));

    assertThat(failure)
        .hasStackTraceContaining("key file " + huge
            + " is too large (2147483648 bytes; at most 1048576 bytes are read)");
  }

  @Test
  void keyFileThatIsADevice_failsTheStart() throws Exception {
    Path zero = Path.of("/dev/zero");
    Assumptions.assumeTrue(Files.exists(zero), "no /dev/zero on this system");

    Throwable failure = refused(keyFileSetting(zero));

    assertThat(failure).hasStackTraceContaining("key file /dev/zero is not a regular file");
  }

  @Test
  void settingsFileThatIsANamedPipe_failsTheStartInsteadOfHoldingIt() throws Exception {
    Path pipe = namedPipe("deployment.properties");
    Map<String, String> environment = WarNode.environment(dir, Map.of());
    environment.put(PortcullisSettings.CONFIG_VARIABLE, pipe.toString());

    Throwable failure = refused(environment);

    assertThat(failure)
        .hasStackTraceContaining("settings file " + pipe)
        .hasStackTraceContaining("is not a regular file (a named pipe, a device or a socket)");
  }

  /**
   * Regression: a setting given twice in the settings file took its last value without a word ({@code
   * Properties.load}), so a second line below a reviewed one changed the deployment unseen.
   */
  @Test
  void settingGivenTwiceInTheSettingsFile_failsTheStart_namingIt() throws Exception {
    Path file = dir.resolve("deployment.properties");
    Files.writeString(
        file,
        "portcullis.access.authenticated-paths=/reports/**\n"
            + "app.own.setting=1\napp.own.setting=2\n"
            + "portcullis.access.authenticated-paths=/nothing\n");
    Map<String, String> environment = WarNode.environment(dir, Map.of());
    environment.put(PortcullisSettings.CONFIG_VARIABLE, file.toString());

    Throwable failure = refused(environment);

    assertThat(failure)
        .hasStackTraceContaining(
            "the setting portcullis.access.authenticated-paths is given more than" + " once in "
                + file)
        .satisfies(f -> assertThat(stackTrace(f)).doesNotContain("app.own.setting"));
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter out = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  /** The environment of a node whose key ring is the file {@code keys}, not the variable. */
  private Map<String, String> keyFileSetting(Path keys) throws Exception {
    Map<String, String> environment = new HashMap<>(WarNode.environment(dir, Map.of()));
    environment.remove(KeyRingSources.ENV_VARIABLE);
    environment.put("PORTCULLIS_KEYS_FILE", keys.toString());
    return environment;
  }

  /** Deploys with {@code environment}, which must fail the start; the failure. */
  private Throwable refused(Map<String, String> environment) {
    Throwable failure = assertTimeoutPreemptively(
        HANG,
        () -> {
          try (WarNode node = WarNode.start(environment, Map.of(), Set.of())) {
            return null;
          } catch (Exception e) {
            return e;
          }
        },
        "the deployment's start waited on the file");
    assertThat(failure).as("the deployment starts").isNotNull();
    return failure;
  }

  private Path namedPipe(String name) throws Exception {
    Path pipe = dir.resolve(name);
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start();
    } catch (java.io.IOException e) {
      Assumptions.abort("no mkfifo on this system: " + e.getMessage());
      throw e;
    }
    assertThat(mkfifo.waitFor()).as("mkfifo's exit status").isZero();
    return pipe;
  }
}
