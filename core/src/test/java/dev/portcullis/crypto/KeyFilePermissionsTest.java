package dev.portcullis.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.testing.CapturedStderr;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a key file that the file's group or everyone could read was accepted without a word. Reading one now
 * warns at start-up, naming the file and its permissions and never a key; it is still read, as mounted secrets are
 * often {@code 0644}.
 */
class KeyFilePermissionsTest {
  private static final String WARNING = "WARN dev.portcullis.crypto.KeyFilePermissions - ";

  @TempDir
  Path dir;

  private final KeyRing ring = KeyRing.builder()
      .add(0x0a1b2c3d, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(new SecureRandom()))
      .build();

  @BeforeEach
  void posixOnly() {
    assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "the default file system has no POSIX permissions (Windows), so there is nothing to warn about");
  }

  private Path keyFile(String permissions) throws Exception {
    Path file = dir.resolve("keys-" + permissions.replace('-', '_') + ".txt");
    KeyRingSources.createFile(ring, file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    return file;
  }

  /** The base64url secret of the ring's one key, as the key file holds it. */
  private String secretText() {
    String line = KeyRingText.format(ring)
        .lines()
        .filter(l -> l.startsWith("key "))
        .findFirst()
        .orElseThrow();
    return line.substring(line.lastIndexOf(' ') + 1);
  }

  @Test
  void aKeyFileOthersCanRead_isRead_withAWarningNamingThePathAndPermissions_neverTheKey()
      throws Exception {
    Path file = keyFile("rw-r--r--");
    KeyRing[] read = new KeyRing[1];
    String logged = CapturedStderr.during(() -> read[0] = KeyRingSources.fromFile(file));

    assertThat(read[0].activeKey().idHex()).isEqualTo("0a1b2c3d");
    assertThat(logged)
        .contains(
            WARNING + "key file " + file + " can be read by its group or by others (rw-r--r--)")
        .contains("chmod 600")
        .doesNotContain(secretText());
  }

  @Test
  void aKeyFileItsGroupCanRead_warnsToo() throws Exception {
    Path file = keyFile("rw-r-----");
    String logged = CapturedStderr.during(() -> KeyRingSources.fromFile(file));

    assertThat(logged).contains(WARNING + "key file " + file).contains("(rw-r-----)");
  }

  @Test
  void aKeyFileOnlyItsOwnerCanRead_isReadQuietly() throws Exception {
    Path file = keyFile("rw-------");
    String logged = CapturedStderr.during(() -> {
      KeyRingSources.fromFile(file);
      KeyRingSources.watchFile(file).close();
    });

    assertThat(logged).doesNotContain(WARNING);
  }

  @Test
  void aWatchedKeyFile_warnsOnceAtStart_notAtEachRead() throws Exception {
    Path file = keyFile("rw-r--r--");
    String logged = CapturedStderr.during(() -> {
      try (ReloadingKeyRing watched = KeyRingSources.watchFile(file, Duration.ofHours(1))) {
        Files.writeString(file, Files.readString(file) + "\n# changed\n");
        assertThat(watched.reload()).as("read again").isTrue();
      }
    });

    assertThat(logged.split(WARNING, -1)).as("one warning").hasSize(2);
    assertThat(logged).contains(WARNING + "key file " + file).doesNotContain(secretText());
  }
}
