package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.Digest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier's command as docs/operations.md runs it: a child JVM whose class path is Portcullis core alone (the
 * chain check) or core and Bouncy Castle (the check under a key ring), never SLF4J. A library the check needs and does
 * not find is exit status 2 with what to add, not a stack trace and the status of a log that is not intact.
 * Regressions: {@code --key-ring} from the core jar alone died on Bouncy Castle's missing {@code Digest}, and a key
 * file its group may read died on SLF4J's missing {@code LoggerFactory}, both with exit status 1.
 */
class AuditChainVerifierCommandTest {
  private static final KeyRing RING = AuditCheckpointTest.ring(7);

  @TempDir
  Path dir;

  private Path audit;
  private Path keys;

  @BeforeEach
  void writeKeyedLog() throws IOException {
    audit = dir.resolve("audit.jsonl");
    keys = dir.resolve("keys.txt");
    KeyRingSources.writeFile(RING, keys);
    try (AuditSink sink = AuditSink.hashChained(audit, RING)) {
      for (int i = 1; i <= 3; i++) {
        sink.accept(AuditCheckpointTest.reportView(i));
      }
    }
  }

  private record Run(int status, String out, String err) {}

  private static String codeSource(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
  }

  private Run verifier(List<String> classPath, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        String.join(File.pathSeparator, classPath),
        AuditChainVerifier.class.getName()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process = new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    process.getOutputStream().close();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the verifier ends").isTrue();
    return new Run(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> coreAlone() throws URISyntaxException {
    return List.of(codeSource(AuditChainVerifier.class));
  }

  private static List<String> coreAndBouncyCastle() throws URISyntaxException {
    return List.of(codeSource(AuditChainVerifier.class), codeSource(Digest.class));
  }

  @Test
  void chainCheck_runsFromTheCoreAlone() throws Exception {
    Run run = verifier(coreAlone(), audit.toString());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("intact: 3 records, head ");
  }

  @Test
  void keyRingCheck_withBouncyCastleBesideTheCore_isIntact() throws Exception {
    Run run = verifier(coreAndBouncyCastle(), "--key-ring", keys.toString(), audit.toString());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("intact: 3 records, head ");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void keyRingCheck_fromTheCoreAlone_exitsTwo_namingBouncyCastle_withoutAStackTrace()
      throws Exception {
    Run run = verifier(coreAlone(), "--key-ring", keys.toString(), audit.toString());

    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .contains("cannot check " + audit)
        .contains("org/bouncycastle/")
        .contains("bcprov-jdk18on.jar")
        .doesNotContain("Exception in thread")
        .doesNotContain("\tat ");
  }

  @Test
  void keyRingCheck_ofAKeyFileItsGroupMayRead_warnsOnStandardError_withoutSlf4j() throws Exception {
    Assumptions.assumeTrue(
        Files.getFileAttributeView(keys, java.nio.file.attribute.PosixFileAttributeView.class)
            != null,
        "the key file's group permission needs a POSIX file system");
    Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-r-----"));

    Run run = verifier(coreAndBouncyCastle(), "--key-ring", keys.toString(), audit.toString());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("intact: 3 records, head ");
    assertThat(run.err())
        .contains("Portcullis WARNING (dev.portcullis.crypto.KeyFilePermissions)")
        .contains("can be read by its group or by others (rw-r-----)")
        .doesNotContain("Exception in thread");
  }
}
