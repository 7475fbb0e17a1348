package dev.portcullis.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyToolTest {
  @TempDir
  Path dir;

  private final MutableClock clock = MutableClock.startingAt2026();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final KeyTool tool = new KeyTool(
      new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8),
      clock,
      new SecureRandom());

  private int run(String... args) {
    return tool.run(args);
  }

  @Test
  void createAddPromoteRevokeList_drivesATwoPhaseRotation() {
    Path file = dir.resolve("keys.txt");
    assertThat(run("create", file.toString())).isZero();
    String first = KeyRingSources.fromFile(file).activeKey().idHex();

    clock.advance(Duration.ofDays(100));
    assertThat(run("add", file.toString())).isZero();
    KeyRing afterAdd = KeyRingSources.fromFile(file);
    String second = afterAdd.keys().get(1).idHex();
    assertThat(afterAdd.activeKey().idHex()).isEqualTo(first);
    assertThat(afterAdd.keys().get(1).status()).isEqualTo(KeyStatus.DECRYPT_ONLY);

    assertThat(run("promote", file.toString(), second)).isZero();
    assertThat(KeyRingSources.fromFile(file).activeKey().idHex()).isEqualTo(second);

    assertThat(run("revoke", file.toString(), first)).isZero();
    assertThat(KeyRingSources.fromFile(file).keys().get(0).status()).isEqualTo(KeyStatus.REVOKED);

    out.reset();
    assertThat(run("list", file.toString(), "--max-age-days", "50")).isZero();
    String listing = out.toString(StandardCharsets.UTF_8);
    assertThat(listing).contains(first + "  REVOKED", second + "  ACTIVE");
    assertThat(listing)
        .doesNotContain("OLDER THAN"); // the old key is revoked, the active one is new
  }

  @Test
  void list_flagsKeysOlderThanTheMaximumAge() {
    Path file = dir.resolve("keys.txt");
    run("create", file.toString());
    clock.advance(Duration.ofDays(91));
    out.reset();
    assertThat(run("list", file.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("91", "OLDER THAN 90 DAYS");
  }

  @Test
  void output_ofEveryCommandButEnv_neverContainsTheSecret() throws Exception {
    Path file = dir.resolve("keys.txt");
    run("create", file.toString());
    run("add", file.toString());
    String added = KeyRingSources.fromFile(file).keys().get(1).idHex();
    run("promote", file.toString(), added);
    run("list", file.toString());
    run("revoke", file.toString(), "00000000");
    KeyRing ring = KeyRingSources.fromFile(file);
    for (KeyInfo k : ring.keys()) {
      byte[] secret =
          ring.material(k.id(), SecretAccess.insecure()).toByteArray(SecretAccess.insecure());
      String b64 = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
      assertThat(Files.readString(file)).contains(b64);
      assertThat(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8))
          .doesNotContain(b64);
    }
  }

  @Test
  void env_printsOnlyTheEnvironmentValue_whichReadsBackToTheSameRing() {
    Path file = dir.resolve("keys.txt");
    run("create", file.toString());
    run("add", file.toString());
    KeyRing fromFile = KeyRingSources.fromFile(file);
    run(
        "revoke",
        file.toString(),
        fromFile.keys().get(1).idHex()); // every status survives the trip
    fromFile = KeyRingSources.fromFile(file);
    out.reset();
    err.reset();

    assertThat(run("env", file.toString())).isZero();
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(printed).endsWith(System.lineSeparator());
    String value =
        printed.substring(0, printed.length() - System.lineSeparator().length());
    assertThat(value)
        .doesNotContain("\n", "\r", "#", "created", "added")
        .startsWith("portcullis-keyring 1;key ");

    KeyRing fromEnv = KeyRingSources.fromEnvironment(Map.of(KeyRingSources.ENV_VARIABLE, value));
    assertThat(fromEnv.keys()).isEqualTo(fromFile.keys());
    assertThat(fromEnv.keys())
        .extracting(KeyInfo::status)
        .containsExactly(KeyStatus.ACTIVE, KeyStatus.REVOKED);
    for (KeyInfo k : fromFile.keys()) {
      assertThat(fromEnv.material(k.id(), SecretAccess.insecure()))
          .isEqualTo(fromFile.material(k.id(), SecretAccess.insecure()));
    }
  }

  @Test
  void env_valueWithAChangedSecret_isAnotherRing_andACutValueIsRefused() {
    Path file = dir.resolve("keys.txt");
    run("create", file.toString());
    out.reset();
    run("env", file.toString());
    String value = out.toString(StandardCharsets.UTF_8).strip();
    KeyRing original = KeyRingSources.fromFile(file);
    int id = original.activeKey().id();

    char last = value.charAt(value.length() - 2);
    String changed = value.substring(0, value.length() - 2)
        + (last == 'A' ? 'B' : 'A')
        + value.charAt(value.length() - 1);
    KeyRing other = KeyRingSources.fromEnvironment(Map.of(KeyRingSources.ENV_VARIABLE, changed));
    assertThat(other.material(id, SecretAccess.insecure()))
        .isNotEqualTo(original.material(id, SecretAccess.insecure()));

    String cut = value.substring(0, value.length() - 10);
    assertThatThrownBy(
            () -> KeyRingSources.fromEnvironment(Map.of(KeyRingSources.ENV_VARIABLE, cut)))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("environment variable PORTCULLIS_KEY_RING");
  }

  @Test
  void env_refusals_printNothingOnStandardOutput() {
    Path file = dir.resolve("keys.txt");
    assertThat(run("env", file.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("refused: cannot read key file");
    run("create", file.toString());
    out.reset();
    assertThat(run("env", file.toString(), "extra")).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void refusals_exitNonZeroWithAReason() {
    Path file = dir.resolve("keys.txt");
    assertThat(run("list", file.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("refused: cannot read key file");
    run("create", file.toString());
    assertThat(run("create", file.toString())).isEqualTo(1);
    String active = KeyRingSources.fromFile(file).activeKey().idHex();
    assertThat(run("revoke", file.toString(), active)).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("promote another key before revoking");
    assertThat(run("explode", file.toString())).isEqualTo(2);
    assertThat(run("list")).isEqualTo(2);
  }

  /** One run of the command in a JVM of its own, with only the core classes on the class path. */
  private record Command(int status, String out, String err) {}

  private Command runAlone(String... args) throws Exception {
    Path classes = Path.of(
        KeyTool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        classes.toString(),
        KeyTool.class.getName()));
    command.addAll(List.of(args));
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    Process process = new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the key tool ended").isTrue();
    return new Command(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
  }

  /**
   * Regression: the key tool ran from the core jar alone, as the README shows, for {@code create} only; every command
   * that reads the file died with {@code NoClassDefFoundError: org/slf4j/LoggerFactory}.
   */
  @Test
  void everyCommand_runsWithTheCoreClassesAlone_andAReadableFileIsReportedOnStandardError()
      throws Exception {
    String file = dir.resolve("keys.txt").toString();
    assertThat(runAlone("create", file).status()).isZero();
    Command added = runAlone("add", file);
    assertThat(added.status()).as(added.err()).isZero();
    String second = KeyRingSources.fromFile(Path.of(file)).keys().get(1).idHex();
    assertThat(added.out()).contains("added key " + second);
    Command promoted = runAlone("promote", file, second);
    assertThat(promoted.status()).as(promoted.err()).isZero();
    Command listed = runAlone("list", file);
    assertThat(listed.status()).as(listed.err()).isZero();
    assertThat(listed.out()).contains(second + "  ACTIVE");
    assertThat(listed.err()).isEmpty();
    Command env = runAlone("env", file);
    assertThat(env.status()).as(env.err()).isZero();
    assertThat(KeyRingSources.fromEnvironment(
                Map.of(KeyRingSources.ENV_VARIABLE, env.out().strip()))
            .activeKey()
            .idHex())
        .isEqualTo(second);

    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(Path.of(file), PosixFilePermissions.fromString("rw-r--r--"));
      Command readable = runAlone("list", file);
      assertThat(readable.status()).as(readable.err()).isZero();
      assertThat(readable.err())
          .contains(
              "warning: key file " + file + " can be read by its group or by others (rw-r--r--)")
          .doesNotContain("SLF4J");
    }
  }
}
