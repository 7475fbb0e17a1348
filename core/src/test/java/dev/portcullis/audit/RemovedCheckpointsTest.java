package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditChainVerifier.Window;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.testing.AuditChainRewrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log written with checkpoints, rewritten as a consistent chain by someone without the key, whose checkpoint file is
 * then deleted or emptied: the checks under the key ring must not take it for a log that never had checkpoints, and the
 * keyed sink must not open it and checkpoint the rewrite.
 */
class RemovedCheckpointsTest {
  private static final KeyRing KEYS = AuditCheckpointTest.ring(7);

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private Path checkpoints() {
    return dir.resolve("audit.jsonl.checkpoints");
  }

  private static AuditEvent event(int i) {
    return Fixtures.event(
            i == 7 ? AuditEventType.AUTHN_LOGIN_FAIL : AuditEventType.of("report_view"))
        .id("evt-" + String.format(Locale.ROOT, "%010d", i))
        .actor(AuditEvent.Actor.of("u-" + i, "org-1"))
        .resource("/reports/" + i)
        .build();
  }

  /** Writes {@code records} records through the sink a portal uses, and closes it. */
  private void write(int records) throws IOException {
    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      for (int i = 1; i <= records; i++) {
        sink.accept(event(i));
      }
    }
  }

  /** The failed login of record 7 made to read as someone else's, every later record chained again. */
  private void rewrite() throws IOException {
    assertThat(AuditChainRewrite.replace(file(), "\"u-7\"", "\"u-8\"")).isEqualTo(7);
    assertThat(AuditChainVerifier.verify(file()).intact())
        .as("without the key the rewritten chain looks whole")
        .isTrue();
  }

  @Test
  void rewrittenLog_withItsCheckpointFileDeleted_isNotIntactUnderTheKeyRing() throws IOException {
    write(30);
    rewrite();
    Files.delete(checkpoints());

    AuditChainVerifier.Result result = AuditChainVerifier.verify(file(), KEYS);

    assertThat(result.intact()).isFalse();
    assertThat(result.firstBadLine()).isEqualTo(1);
    assertThat(result.describe())
        .isEqualTo("NOT INTACT: line 1: the log has 30 records but no checkpoint file: its"
            + " checkpoints were removed, or it was written without a key ring: verify such a log"
            + " without the key ring (verify(Path), or the command without --key-ring)");
  }

  @Test
  void rewrittenLog_withItsCheckpointFileEmptied_isNotIntactUnderTheKeyRing() throws IOException {
    write(30);
    rewrite();
    Files.write(checkpoints(), new byte[0]);

    AuditChainVerifier.Result result = AuditChainVerifier.verify(file(), KEYS);

    assertThat(result.intact()).isFalse();
    assertThat(result.firstBadLine()).isEqualTo(1);
    assertThat(result.problem())
        .startsWith("the log has 30 records but its checkpoint file holds no checkpoint: its"
            + " checkpoints were removed");
  }

  @Test
  void command_withTheKeyRing_exitsNonZero_whenTheCheckpointFileIsDeleted() throws IOException {
    write(30);
    Path keyFile = dir.resolve("keyring.txt");
    KeyRingSources.createFile(KEYS, keyFile);
    String[] keyed = {"--key-ring", keyFile.toString(), file().toString()};
    assertThat(AuditCheckpointTest.run(keyed)).startsWith("0 intact: 30 records, head ");
    rewrite();
    Files.delete(checkpoints());

    assertThat(AuditCheckpointTest.run(file().toString())).startsWith("0 intact: 30 records");
    assertThat(AuditCheckpointTest.run(keyed))
        .startsWith("1 NOT INTACT: line 1: the log has 30 records but no checkpoint file");
  }

  @Test
  void newestRecords_ofARewrittenShortLog_withoutItsCheckpoints_areBroken() throws IOException {
    write(30);
    rewrite();
    Files.delete(checkpoints());

    Window deleted = AuditChainVerifier.verifyNewest(file(), KEYS, 1000);

    assertThat(deleted.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(deleted.firstBadLine()).isZero();
    assertThat(deleted.records()).hasSize(30);
    assertThat(deleted.describe())
        .startsWith("NOT INTACT: checkpoints: the log has 30 records but no checkpoint file: its"
            + " checkpoints were removed");

    Files.write(checkpoints(), new byte[0]);
    Window emptied = AuditChainVerifier.verifyNewest(file(), KEYS, 1000);
    assertThat(emptied.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(emptied.problem())
        .startsWith("the log has 30 records but its checkpoint file holds no checkpoint");
  }

  @Test
  void emptiedLog_withItsCheckpoints_isBroken() throws IOException {
    write(30);
    Files.write(file(), new byte[0]);

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.problem()).contains("records were removed from the end");
    assertThat(AuditChainVerifier.verify(file(), KEYS).intact()).isFalse();
  }

  @Test
  void emptyLog_withoutACheckpointFile_isIntact_forThereIsNothingToVouchFor() throws IOException {
    Files.write(file(), new byte[0]);

    assertThat(AuditChainVerifier.verify(file(), KEYS).describe()).startsWith("intact: 0 records");
    assertThat(AuditChainVerifier.verifyNewest(file(), KEYS, 50).status())
        .isEqualTo(Window.Status.VERIFIED);
  }

  @Test
  void openSink_checkpointsItsFirstRecordAtOnce_soALiveLogVerifiesUnderTheKeyRing()
      throws IOException {
    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      assertThat(AuditChainVerifier.verify(file(), KEYS).intact()).isTrue();
      sink.accept(event(1));
      sink.accept(event(2));
      sink.flush();

      AuditChainVerifier.Result live = AuditChainVerifier.verify(file(), KEYS);
      assertThat(live.intact()).as(live.describe()).isTrue();
      assertThat(live.records()).isEqualTo(2);
      Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);
      assertThat(window.status()).as(window.describe()).isEqualTo(Window.Status.VERIFIED);
      assertThat(window.sealedThrough()).isEqualTo(1);
      assertThat(Files.readString(checkpoints(), StandardCharsets.UTF_8))
          .startsWith("{\"kind\":\"audit_checkpoint\",\"seq\":1,");
    }
  }

  @Test
  void logWrittenWithoutAKeyRing_isIntactWithoutIt_andNotIntactWithIt() throws IOException {
    try (AuditSink sink = AuditSink.hashChained(file())) {
      for (int i = 1; i <= 5; i++) {
        sink.accept(event(i));
      }
    }

    assertThat(AuditChainVerifier.verify(file()).intact()).isTrue();
    assertThat(AuditChainVerifier.verify(file(), KEYS).problem())
        .contains("written without a key ring: verify such a log without the key ring");
  }

  @Test
  void rewrittenLog_withItsCheckpointFileDeleted_isRefusedByTheKeyedSink_andStaysNotIntact()
      throws IOException {
    write(30);
    rewrite();
    Files.delete(checkpoints());
    byte[] rewritten = Files.readAllBytes(file());

    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS))
        .isInstanceOf(IOException.class)
        .hasMessage(file() + " has 30 records but no checkpoint file " + checkpoints()
            + ": its checkpoints were removed, or it was written without a key ring, and a checkpoint"
            + " now would vouch for whatever it holds. Check it with AuditChainVerifier (without"
            + " --key-ring for a log written without one), move it aside and start a new log");

    assertThat(checkpoints()).as("no checkpoint written").doesNotExist();
    assertThat(Files.readAllBytes(file())).isEqualTo(rewritten);
    assertThat(AuditChainVerifier.verify(file(), KEYS).intact()).isFalse();
    assertThat(AuditChainVerifier.verifyNewest(file(), KEYS, 50).status())
        .isEqualTo(Window.Status.BROKEN);
    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS))
        .as("refused again, not taken on by a second try")
        .hasMessageContaining("has 30 records but no checkpoint file");
  }

  @Test
  void rewrittenLog_withItsCheckpointFileEmptied_isRefusedByTheKeyedSink_andStaysNotIntact()
      throws IOException {
    write(30);
    rewrite();
    Files.write(checkpoints(), new byte[0]);
    byte[] rewritten = Files.readAllBytes(file());

    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file() + " has 30 records but its checkpoint file " + checkpoints()
            + " holds no checkpoint: its checkpoints were removed")
        .hasMessageEndingWith("move it aside and start a new log");

    assertThat(Files.size(checkpoints())).as("no checkpoint written").isZero();
    assertThat(Files.readAllBytes(file())).isEqualTo(rewritten);
    assertThat(AuditChainVerifier.verify(file(), KEYS).intact()).isFalse();
  }

  @Test
  void
      logWithACheckpointFileHoldingOnlyAnUnfinishedCheckpoint_andTwoRecords_isRefused_andLeftAsItIs()
          throws IOException {
    write(2);
    byte[] cps = Files.readAllBytes(checkpoints());
    Files.write(checkpoints(), Arrays.copyOf(cps, 40)); // the first checkpoint, cut short

    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS))
        .hasMessageContaining(
            " has 2 records but its checkpoint file " + checkpoints() + " holds no checkpoint");
    assertThat(Files.readAllBytes(checkpoints())).isEqualTo(Arrays.copyOf(cps, 40));
  }

  @Test
  void logOfOneRecord_withItsCheckpointFileEmptied_isRefused_forNoCrashLeavesOne()
      throws IOException {
    // A first record written without the key, and an empty checkpoint file: what a crash between
    // a first record and its checkpoint used to leave, taken on and checkpointed as such.
    try (AuditSink plain = AuditSink.hashChained(file())) {
      plain.accept(event(7));
    }
    Files.write(checkpoints(), new byte[0]);

    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file() + " has 1 record but its checkpoint file " + checkpoints()
            + " holds no checkpoint");
    assertThat(Files.size(checkpoints())).as("no checkpoint written").isZero();
    assertThat(AuditChainVerifier.verify(file(), KEYS).intact()).isFalse();
  }

  @Test
  void firstRecordWithoutItsNewline_andNoCheckpoint_isKeptAside_notTakenAsARecord()
      throws IOException {
    try (AuditSink plain = AuditSink.hashChained(file())) {
      plain.accept(event(7));
    }
    byte[] forged = Files.readAllBytes(file());
    Files.write(file(), Arrays.copyOf(forged, forged.length - 1));
    Files.write(checkpoints(), new byte[0]);

    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      sink.accept(event(8));
    }

    AuditChainVerifier.Result result = AuditChainVerifier.verify(file(), KEYS);
    assertThat(result.intact()).as(result.describe()).isTrue();
    assertThat(result.tornRecordsCut())
        .as("kept aside as torn, not vouched for")
        .isEqualTo(1);
    assertThat(Files.readString(file(), StandardCharsets.UTF_8)).doesNotContain("\"u-7\"");
    assertThat(dir.resolve("audit.jsonl.torn")).exists();
  }

  @Test
  void newLogCutOffBetweenItsFirstCheckpointAndItsFirstRecord_opens_andStartsAfresh()
      throws IOException {
    write(1);
    // The first checkpoint is forced to disk before the first record is written.
    Files.write(file(), new byte[0]);
    assertThat(AuditChainVerifier.verify(file(), KEYS).intact()).isFalse();

    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      sink.accept(event(2));
    }

    AuditChainVerifier.Result result = AuditChainVerifier.verify(file(), KEYS);
    assertThat(result.intact()).as(result.describe()).isTrue();
    assertThat(result.records()).isEqualTo(1);
    assertThat(Files.readString(file(), StandardCharsets.UTF_8)).contains("\"u-2\"");
    assertThat(Files.readAllLines(checkpoints(), StandardCharsets.UTF_8)).hasSize(1);
  }

  @Test
  void newLogCutOffInItsFirstRecord_opens_andTheTornRecordIsKeptAside() throws IOException {
    write(1);
    byte[] record = Files.readAllBytes(file());
    Files.write(file(), Arrays.copyOf(record, 40));

    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      sink.accept(event(2));
    }

    AuditChainVerifier.Result result = AuditChainVerifier.verify(file(), KEYS);
    assertThat(result.intact()).as(result.describe()).isTrue();
    assertThat(result.records()).isEqualTo(2);
    assertThat(result.tornRecordsCut()).isEqualTo(1);
  }

  @Test
  void newLogCutOffBeforeTheNewlineOfItsFirstRecord_opens_andKeepsTheRecord() throws IOException {
    write(1);
    byte[] record = Files.readAllBytes(file());
    Files.write(file(), Arrays.copyOf(record, record.length - 1));

    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      sink.accept(event(2));
    }

    AuditChainVerifier.Result result = AuditChainVerifier.verify(file(), KEYS);
    assertThat(result.intact()).as(result.describe()).isTrue();
    assertThat(result.records()).isEqualTo(2);
    assertThat(result.tornRecordsCut()).isZero();
    assertThat(Files.readAllLines(file(), StandardCharsets.UTF_8).get(0))
        .isEqualTo(new String(record, 0, record.length - 1, StandardCharsets.UTF_8));
  }

  @Test
  void newLogCutOffWhileWritingItsFirstCheckpoint_opens_andTheUnfinishedCheckpointIsCut()
      throws IOException {
    write(1);
    byte[] cps = Files.readAllBytes(checkpoints());
    Files.write(checkpoints(), Arrays.copyOf(cps, 40));
    Files.write(file(), new byte[0]);

    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      sink.accept(event(2));
    }

    AuditChainVerifier.Result result = AuditChainVerifier.verify(file(), KEYS);
    assertThat(result.intact()).as(result.describe()).isTrue();
    assertThat(result.records()).isEqualTo(1);
  }

  @Test
  void emptyLog_withMoreThanAFirstCheckpoint_isRefused() throws IOException {
    write(3);
    Files.write(file(), new byte[0]);

    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS))
        .hasMessageContaining("vouches for record 3, but " + file() + " ends at record 0");
  }

  @Test
  void logOfOneRecord_withItsCheckpointFileDeleted_isRefused() throws IOException {
    write(1);
    Files.delete(checkpoints());

    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS))
        .hasMessageStartingWith(file() + " has 1 record but no checkpoint file " + checkpoints());
    assertThat(checkpoints()).doesNotExist();
  }

  @Test
  void logWrittenWithoutAKeyRing_isRefusedByTheKeyedSink_namingTheRemedy() throws IOException {
    try (AuditSink sink = AuditSink.hashChained(file())) {
      for (int i = 1; i <= 5; i++) {
        sink.accept(event(i));
      }
    }

    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS))
        .hasMessageContaining("has 5 records but no checkpoint file")
        .hasMessageContaining("written without a key ring")
        .hasMessageContaining("without --key-ring for a log written without one");
    assertThat(AuditChainVerifier.verify(file()).intact()).isTrue();
  }

  @Test
  void command_withTheKeyRing_onALiveLog_saysWhichRecordsOnlyTheChainVouchesFor()
      throws IOException {
    Path keyFile = dir.resolve("keyring.txt");
    KeyRingSources.createFile(KEYS, keyFile);
    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      for (int i = 1; i <= 3; i++) {
        sink.accept(event(i));
      }
      sink.flush();

      assertThat(
              AuditCheckpointTest.run("--key-ring", keyFile.toString(), file().toString()))
          .startsWith("0 intact: 3 records, head ")
          .endsWith("; records 2 to 3 after the newest checkpoint (record 1), vouched for by the"
              + " chain alone");
    }
    assertThat(AuditCheckpointTest.run("--key-ring", keyFile.toString(), file().toString()))
        .as("closed: its last checkpoint vouches for every record")
        .startsWith("0 intact: 3 records, head ")
        .doesNotContain("after the newest checkpoint");
    assertThat(AuditCheckpointTest.run(file().toString()))
        .as("without the key ring the checkpoints are not read")
        .doesNotContain("checkpoint");
  }
}
