package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint key ring rotated under a keyed log: a new active key, the old one kept to verify, then revoked. A
 * checkpoint under a revoked key proves nothing (whoever holds the revoked key could have made it), so it does not
 * verify, and the sink does not go on from one.
 */
class CheckpointKeyRotationTest {
  /** Key 1 active. */
  private static final KeyRing FIRST = AuditCheckpointTest.ring(7);
  /** Key 2 active, key 1 kept to verify what it tagged. */
  private static final KeyRing ROTATED =
      FIRST.withNewKey(2, material(8), Instant.parse("2026-02-01T00:00:00Z")).promote(2);
  /** Key 2 active, key 1 revoked. */
  private static final KeyRing REVOKED = ROTATED.revoke(1);

  @TempDir
  Path dir;

  private static KeyMaterial material(int seed) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) seed);
    return KeyMaterial.copyOf(key);
  }

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private void write(KeyRing keys, int from, int to) throws IOException {
    try (AuditSink sink = AuditSink.hashChained(file(), keys)) {
      for (int i = from; i <= to; i++) {
        sink.accept(AuditCheckpointTest.reportView(i));
      }
    }
  }

  @Test
  void rotatedKey_sinkGoesOnUnderTheNewKey_andTheOldCheckpointsStillVerify() throws IOException {
    write(FIRST, 1, 30);
    write(ROTATED, 31, 40);

    AuditChainVerifier.Result result = AuditChainVerifier.verify(file(), ROTATED);
    assertThat(result.intact()).as(result.describe()).isTrue();
    assertThat(result.records()).isEqualTo(40);
    assertThat(AuditChainVerifier.verifyNewest(file(), ROTATED, 50).status())
        .isEqualTo(AuditChainVerifier.Window.Status.VERIFIED);
    // A ring without the new key: not intact, from the first checkpoint under it.
    assertThat(AuditChainVerifier.verify(file(), FIRST).describe())
        .isEqualTo("NOT INTACT: line 40: the checkpoint after the one for record 30 (for record 40)"
            + " does not verify: forged or altered, or made under a key this key ring does not hold (revoked since, or"
            + " another ring's)");
  }

  @Test
  void revokedKey_itsCheckpointsDoNotVerify_andTheCommandSaysSo_withoutAStackTrace()
      throws IOException {
    write(FIRST, 1, 30);
    Path keyFile = dir.resolve("keyring.txt");
    KeyRingSources.createFile(REVOKED, keyFile);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = AuditChainVerifier.run(
        new String[] {"--key-ring", keyFile.toString(), file().toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("NOT INTACT: line 1: the first checkpoint (for record 1) does not verify: forged"
            + " or altered, or made under a key this key ring does not hold (revoked since, or"
            + " another ring's)");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void revokedKey_underWhichTheNewestCheckpointIsTagged_stopsTheSink_ratherThanVouchingAgain()
      throws IOException {
    write(FIRST, 1, 30);
    byte[] checkpoints = Files.readAllBytes(dir.resolve("audit.jsonl.checkpoints"));

    assertThatThrownBy(() -> write(REVOKED, 31, 40))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file() + " does not follow its newest checkpoint (the newest"
            + " checkpoint (for record 30) does not verify: forged or altered, or made under a key"
            + " this key ring does not hold (revoked since, or another ring's))");
    assertThat(Files.readAllBytes(dir.resolve("audit.jsonl.checkpoints"))).isEqualTo(checkpoints);
    // With the ring before the revocation the log still verifies, to be checked and kept aside.
    assertThat(AuditChainVerifier.verify(file(), ROTATED).intact()).isTrue();
  }

  @Test
  void revokedKey_withTheNewestCheckpointUnderTheNewKey_letsTheSinkGoOn() throws IOException {
    write(FIRST, 1, 30);
    write(ROTATED, 31, 40);

    write(REVOKED, 41, 45);

    assertThat(AuditChainVerifier.verify(file(), ROTATED).intact()).isTrue();
    assertThat(AuditChainVerifier.verify(file(), REVOKED).firstBadLine())
        .as("the checkpoints under the revoked key vouch for nothing")
        .isEqualTo(1);
    assertThat(AuditChainVerifier.verifyNewest(file(), REVOKED, 3).status())
        .as("the newest records follow a checkpoint under the active key")
        .isEqualTo(AuditChainVerifier.Window.Status.VERIFIED);
  }
}
