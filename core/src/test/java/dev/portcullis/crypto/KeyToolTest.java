package dev.portcullis.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.AnotherAccount;
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
import org.junit.jupiter.api.Assumptions;
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
    return runAlone(List.of(), classes, args);
  }

  /** As {@link #runAlone(String...)}, the command started through {@code wrapper} with {@code classes}. */
  private Command runAlone(List<String> wrapper, Path classes, String... args) throws Exception {
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(List.of(
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

  /**
   * Regression: under a permissive umask ({@code umask 000}) {@code create} made the directories above a new key file
   * writable by every account on the host, which could then put a key file of its own in the place of the real one.
   * The file and each directory it creates are now for their owner only.
   */
  @Test
  void create_underAPermissiveUmask_makesTheFileAndItsNewDirectoriesForTheOwnerOnly()
      throws Exception {
    Assumptions.assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "file permissions need a POSIX file system");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh to set the umask");
    Path keys = dir.resolve("portal").resolve("keys").resolve("keys.txt");
    Path classes = Path.of(
        KeyTool.class.getProtectionDomain().getCodeSource().getLocation().toURI());

    Command created = runAlone(
        List.of("/bin/sh", "-c", "umask 000 && exec \"$@\"", "sh"),
        classes,
        "create",
        keys.toString());

    assertThat(created.status()).as(created.err()).isZero();
    assertThat(permissions(dir.resolve("portal"))).isEqualTo("rwx------");
    assertThat(permissions(keys.getParent())).isEqualTo("rwx------");
    assertThat(permissions(keys)).isEqualTo("rw-------");
  }

  /**
   * Regression: a key file that every account on the host may write was read and trusted, so anyone could put their
   * own key in it. Every command that reads the file refuses it, naming the file and its permissions; {@code add},
   * {@code promote} and {@code revoke} then leave it as it is.
   */
  @Test
  void keyFileOthersMayWrite_isRefusedByEveryCommandThatReadsIt() throws Exception {
    Assumptions.assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "file permissions need a POSIX file system");
    Path file = dir.resolve("keys.txt");
    assertThat(run("create", file.toString())).isZero();
    String active = KeyRingSources.fromFile(file).activeKey().idHex();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
    byte[] before = Files.readAllBytes(file);

    for (String[] command : new String[][] {
      {"list", file.toString()},
      {"env", file.toString()},
      {"add", file.toString()},
      {"revoke", file.toString(), active}
    }) {
      err.reset();
      out.reset();
      assertThat(run(command)).as(command[0]).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .as(command[0])
          .contains("refused: cannot read key file " + file + ": key file " + file
              + " can be written by others (rw-rw-rw-)")
          .contains("chmod o-w " + file);
      assertThat(out.toString(StandardCharsets.UTF_8)).as(command[0]).isEmpty();
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  /**
   * A key file that the account running the tool may not read (a real account other than its owner, in a JVM started
   * under {@code setpriv}): refused with exit status 1 and a reason that says so, not a stack trace. Skipped, with the
   * reason printed, where {@code setpriv} is missing or the tests do not run as root.
   */
  @Test
  void keyFileTheAccountMayNotRead_isRefusedSayingPermissionDenied() throws Exception {
    Path classes = classesReadableByAnotherAccount();
    Path file = dir.resolve("keys.txt");
    assertThat(run("create", file.toString())).isZero();

    Command listed = runAlone(AnotherAccount.command(), classes, "list", file.toString());

    assertThat(listed.status()).as(listed.err()).isEqualTo(1);
    assertThat(listed.err())
        .contains("refused: cannot read key file " + file + ": permission denied (" + file
            + "): the account that runs the application may not read it")
        .doesNotContain("Exception in thread")
        .doesNotContain("\tat ");
    assertThat(listed.out()).isEmpty();
  }

  /**
   * A copy of the core classes that another account can read: the build's own may sit under a directory only root
   * may enter. The test directory is opened for others to enter, not to list or write.
   */
  private Path classesReadableByAnotherAccount() throws Exception {
    AnotherAccount.assumeAvailable();
    Path classes = Path.of(
        KeyTool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Assumptions.assumeTrue(Files.isDirectory(classes), "the core classes are not a directory");
    Path copy = dir.resolve("classes");
    try (var paths = Files.walk(classes)) {
      for (Path from : (Iterable<Path>) paths::iterator) {
        Path to = copy.resolve(classes.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
          Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(from, to);
          Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    AnotherAccount.assumeCanRun(dir);
    return copy;
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
