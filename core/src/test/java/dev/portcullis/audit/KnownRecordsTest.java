package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditChainVerifier.KnownRecord;
import dev.portcullis.audit.AuditChainVerifier.Result;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.testing.CapturedStderr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyed log put back to an older copy, or cut back to an earlier checkpoint with its checkpoint file, verifies under
 * its key ring: its files alone can't tell. The checkpoint lines the sink logs, kept elsewhere, and passed back to the
 * verifier as known records, do.
 */
class KnownRecordsTest {
  private static final KeyRing KEYS = AuditCheckpointTest.ring(11);
  private static final Pattern LOGGED =
      Pattern.compile(" " + Pattern.quote(AuditSink.CHECKPOINT_LOGGER_NAME)
          + " - audit checkpoint: (\\S+) holds ([0-9]+:[0-9a-f]{64})");

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private Path checkpoints() {
    return AuditCheckpoint.fileOf(file());
  }

  /**
   * Opens the keyed sink on the log, writes {@code records} more events, closes it, and answers the checkpoints it
   * logged meanwhile.
   */
  private List<KnownRecord> append(int records, String user) throws Exception {
    String logged = CapturedStderr.during(() -> {
      try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
        for (int i = 0; i < records; i++) {
          sink.accept(view(i, user));
        }
      }
    });
    List<KnownRecord> known = new ArrayList<>();
    Matcher m = LOGGED.matcher(logged);
    while (m.find()) {
      assertThat(m.group(1)).isEqualTo(file().toString());
      known.add(KnownRecord.parse(m.group(2)));
    }
    return known;
  }

  private static AuditEvent view(int i, String user) {
    return Fixtures.event(AuditEventType.of("report_view"))
        .id("evt-" + user + "-" + i)
        .actor(AuditEvent.Actor.of(user, "org-1"))
        .resource("/reports/" + i)
        .build();
  }

  private void keepCopy(String suffix) throws IOException {
    Files.copy(file(), dir.resolve("old" + suffix));
    Files.copy(checkpoints(), dir.resolve("old-checkpoints" + suffix));
  }

  private void putBackCopy(String suffix) throws IOException {
    Files.copy(dir.resolve("old" + suffix), file(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        dir.resolve("old-checkpoints" + suffix),
        checkpoints(),
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void sink_logsEachCheckpointItWrites_asTheRecordTheVerifierFindsThere() throws Exception {
    List<KnownRecord> first = append(10, "u-1");
    List<KnownRecord> second = append(20, "u-2");

    assertThat(first).extracting(KnownRecord::seq).containsExactly(10L);
    assertThat(second).extracting(KnownRecord::seq).containsExactly(30L);
    Result result = AuditChainVerifier.verify(file(), KEYS, List.of(first.get(0), second.get(0)));
    assertThat(result.intact()).as(result.describe()).isTrue();
    assertThat(result.head()).isEqualTo(second.get(0).hash());
    assertThat(Files.readAllLines(checkpoints()))
        .anySatisfy(cp -> assertThat(cp).contains("\"seq\":10,", first.get(0).hash()))
        .anySatisfy(cp -> assertThat(cp).contains("\"seq\":30,", second.get(0).hash()));
  }

  @Test
  void olderCopyPutBack_verifiesUnderTheKeyRing_butNotWithTheRecordKnownSince() throws Exception {
    append(10, "u-1");
    keepCopy("");
    KnownRecord newest = append(20, "u-2").get(0);
    putBackCopy("");

    assertThat(AuditChainVerifier.verify(file(), KEYS).intact())
        .as("the files alone can't show a rollback")
        .isTrue();
    Result result = AuditChainVerifier.verify(file(), KEYS, List.of(newest));
    assertThat(result.intact()).isFalse();
    assertThat(result.describe())
        .isEqualTo(
            "NOT INTACT: line 10: the log ends at record 10, but it is known to hold record 30:"
                + " records were removed from the end, or an older copy of the log was put back");
    assertThat(AuditChainVerifier.verify(file(), List.of(newest)).intact())
        .as("the chain alone, without the key ring")
        .isFalse();
  }

  @Test
  void cutBackToAnEarlierCheckpoint_withItsCheckpoints_isFoundByTheRecordKnownAfterIt()
      throws Exception {
    KnownRecord tenth = append(10, "u-1").get(0);
    keepCopy("-10");
    KnownRecord twentieth = append(10, "u-2").get(0);
    append(10, "u-3");
    putBackCopy("-10");

    assertThat(AuditChainVerifier.verify(file(), KEYS).intact()).isTrue();
    assertThat(AuditChainVerifier.verify(file(), KEYS, List.of(tenth)).intact())
        .as("what it still holds")
        .isTrue();
    assertThat(
            AuditChainVerifier.verify(file(), KEYS, List.of(tenth, twentieth)).problem())
        .startsWith("the log ends at record 10, but it is known to hold record 20");
  }

  @Test
  void anotherLogOfTheSameLength_doesNotHoldTheKnownRecord() throws Exception {
    KnownRecord known = append(30, "u-1").get(0);
    Files.delete(file());
    Files.delete(checkpoints());
    append(30, "u-9");

    Result result = AuditChainVerifier.verify(file(), KEYS, List.of(known));
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBadLine()).isEqualTo(30);
    assertThat(result.problem())
        .isEqualTo("record 30 is not the one known as " + known
            + ": the log was rewritten up to it, or replaced by another");
  }

  @Test
  void command_takesKnownRecords_andRefusesMalformedOnes() throws Exception {
    KnownRecord tenth = append(10, "u-1").get(0);
    keepCopy("");
    KnownRecord thirtieth = append(20, "u-2").get(0);
    Path keyFile = dir.resolve("keyring.txt");
    KeyRingSources.createFile(KEYS, keyFile);
    String keyRing = keyFile.toString();
    String log = file().toString();

    assertThat(AuditCheckpointTest.run(
            "--key-ring",
            keyRing,
            "--holds",
            tenth.toString(),
            "--holds",
            thirtieth.toString(),
            log))
        .startsWith("0 intact: 30 records, head " + thirtieth.hash())
        .endsWith("; holds the 2 known records");
    assertThat(AuditCheckpointTest.run("--holds", thirtieth.toString(), log))
        .isEqualTo("0 intact: 30 records, head " + thirtieth.hash() + "; holds the known record");
    putBackCopy("");
    assertThat(AuditCheckpointTest.run("--key-ring", keyRing, "--holds", thirtieth.toString(), log))
        .startsWith("1 NOT INTACT: line 10: the log ends at record 10, but it is known to hold"
            + " record 30");
    assertThat(AuditCheckpointTest.run("--holds", "30", log))
        .startsWith("2 a known record is SEQ:HASH");
    assertThat(AuditCheckpointTest.run("--holds", "x:" + thirtieth.hash(), log))
        .startsWith("2 a known record's seq is a number");
    assertThat(AuditCheckpointTest.run("--holds", "0:" + thirtieth.hash(), log))
        .startsWith("2 a known record's seq starts at 1");
    assertThat(AuditCheckpointTest.run(
            "--holds", "30:" + thirtieth.hash().toUpperCase(java.util.Locale.ROOT), log))
        .startsWith("2 a known record's hash is 64 lower-case hex digits");
    assertThat(AuditCheckpointTest.run("--holds", thirtieth.toString()))
        .startsWith("2 one audit file, after the options");
    assertThat(AuditCheckpointTest.run("--key-ring", keyRing, "--key-ring", keyRing, log))
        .startsWith("2 --key-ring given twice");
    assertThat(AuditCheckpointTest.run("--anchor", thirtieth.toString(), log))
        .startsWith("2 unknown option --anchor");
  }

  @Test
  void knownRecord_refusesWhatIsNotOne() {
    assertThatThrownBy(() -> new KnownRecord(1, "abc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KnownRecord.parse(":" + "0".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(KnownRecord.parse("7:" + "a".repeat(64)))
        .isEqualTo(new KnownRecord(7, "a".repeat(64)));
  }
}
