package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditChainVerifier.Window;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.crypto.KeyedMac;
import dev.portcullis.crypto.Purpose;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoints of the hash-chained sink, written to a real file, and the check of the newest records from them:
 * what it reads, and each kind of change it finds.
 */
class AuditCheckpointTest {
  private static final KeyRing KEYS = ring(7);
  private static final KeyedMac MAC = KeyedMac.create(KEYS, Purpose.AUDIT_CHECKPOINT);

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private Path checkpoints() {
    return dir.resolve("audit.jsonl.checkpoints");
  }

  static KeyRing ring(int seed) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) seed);
    return KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.parse("2026-01-01T00:00:00Z"), KeyMaterial.copyOf(key))
        .build();
  }

  /** Record {@code i} of a plain log: user {@code u-<i>} viewed report {@code i}. */
  static AuditEvent reportView(int i) {
    return Fixtures.event(AuditEventType.of("report_view"))
        .id("evt-" + String.format(Locale.ROOT, "%010d", i))
        .actor(AuditEvent.Actor.of("u-" + i, "org-1"))
        .resource("/reports/" + i)
        .build();
  }

  private static AuditEvent event(int i) {
    return Fixtures.event(AuditEventType.of("report_view"))
        .id("evt-" + String.format(Locale.ROOT, "%010d", i))
        .actor(AuditEvent.Actor.of("u-" + (i % 17), "org-1"))
        .resource("/reports/" + i)
        .reason(i % 3 == 0 ? "line\nbreak and \"quotes\" \u00e9" : null)
        .build();
  }

  private void write(int from, int to, int every) throws IOException {
    try (HashChainedAuditSink sink =
        HashChainedAuditSink.open(file(), LineFile.Opener.FILE, MAC, every)) {
      for (int i = from; i <= to; i++) {
        sink.accept(event(i));
      }
    }
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  private static void rewrite(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  @Test
  void sink_writesATaggedCheckpointAfterTheFirstRecord_everyInterval_andOneOnClose()
      throws IOException {
    write(1, 25, 10);

    List<String> records = lines(file());
    List<String> cps = lines(checkpoints());
    assertThat(cps).hasSize(4);
    long[] seqs = {1, 10, 20, 25};
    for (int i = 0; i < cps.size(); i++) {
      AuditCheckpoint.Parsed parsed =
          AuditCheckpoint.parse(cps.get(i).getBytes(StandardCharsets.UTF_8));
      assertThat(parsed).isNotNull();
      assertThat(parsed.verifies(MAC)).isTrue();
      assertThat(parsed.verifies(KeyedMac.create(ring(8), Purpose.AUDIT_CHECKPOINT)))
          .isFalse();
      AuditCheckpoint cp = parsed.checkpoint();
      assertThat(cp.seq()).isEqualTo(seqs[i]);
      assertThat(cp.every()).isEqualTo(10);
      String record = records.get((int) cp.seq() - 1);
      assertThat(record).endsWith("\"hash\":\"" + cp.hash() + "\"}");
      long end = 0;
      for (int r = 0; r < cp.seq(); r++) {
        end += records.get(r).getBytes(StandardCharsets.UTF_8).length + 1;
      }
      assertThat(cp.offset()).isEqualTo(end);
    }
    assertThat(AuditChainVerifier.verify(file()).intact()).isTrue();
  }

  @Test
  void reopenedSink_continuesTheChainAndItsCheckpoints() throws IOException {
    write(1, 15, 10);
    write(16, 40, 10);

    assertThat(AuditChainVerifier.verify(file()).records()).isEqualTo(40);
    assertThat(lines(checkpoints()))
        .extracting(l -> AuditCheckpoint.parse(l.getBytes(StandardCharsets.UTF_8))
            .checkpoint()
            .seq())
        .containsExactly(1L, 10L, 15L, 25L, 35L, 40L);
    assertThat(AuditChainVerifier.verifyNewest(file(), KEYS, 12).status())
        .isEqualTo(Window.Status.VERIFIED);
  }

  @Test
  void newestRecords_areVerifiedFromACheckpoint_readingAWindowNotTheWholeFile() throws IOException {
    write(1, 20_000, 100);
    long size = Files.size(file());

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);

    assertThat(window.describe()).startsWith("intact: records ");
    assertThat(window.status()).isEqualTo(Window.Status.VERIFIED);
    assertThat(window.records().size()).isBetween(50, 150);
    List<String> all = lines(file());
    assertThat(window.records())
        .containsExactlyElementsOf(all.subList(all.size() - window.records().size(), all.size()));
    assertThat(window.firstLine()).isEqualTo(all.size() - window.records().size() + 1L);
    assertThat(window.anchor()).isEqualTo(window.firstLine() - 1).isGreaterThan(0);
    assertThat(window.sealedThrough()).isEqualTo(20_000);
    assertThat(window.fileBytes()).isEqualTo(size);
    // What was read: the window's records, a few blocks of 8 KiB while looking for line ends, and
    // the newest
    // checkpoints; not the file.
    long windowBytes = 0;
    for (String r : window.records()) {
      windowBytes += r.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    assertThat(size).isGreaterThan(5_000_000);
    assertThat(window.bytesRead()).isBetween(windowBytes, windowBytes + 5 * 8192);
  }

  @Test
  void recordsBeforeTheWindow_areNotRead_soTheFullCheckStillFindsThem() throws IOException {
    write(1, 2_000, 100);
    List<String> all = lines(file());
    all.set(9, all.get(9).replace("/reports/10\"", "/reports/99\""));
    rewrite(file(), all);

    assertThat(AuditChainVerifier.verifyNewest(file(), KEYS, 50).status())
        .isEqualTo(Window.Status.VERIFIED);
    assertThat(AuditChainVerifier.verify(file()).firstBadLine()).isEqualTo(10);
  }

  @Test
  void alteredRecordInTheWindow_isNamed() throws IOException {
    write(1, 2_000, 100);
    List<String> all = lines(file());
    all.set(1_989, all.get(1_989).replace("/reports/1990\"", "/reports/1999\""));
    rewrite(file(), all);

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.firstBadLine()).isEqualTo(1_990);
    assertThat(window.problem()).startsWith("record altered (seq 1990)");
  }

  @Test
  void removedRecordInTheWindow_isNamed() throws IOException {
    write(1, 2_000, 100);
    List<String> all = lines(file());
    all.remove(1_979);
    rewrite(file(), all);

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.firstBadLine()).isEqualTo(1_980);
    assertThat(window.problem()).contains("expected seq 1980 here, found 1981");
  }

  @Test
  void windowRewrittenAsAConsistentChain_isCaughtByTheCheckpointAfterIt() throws IOException {
    write(1, 2_000, 100);
    List<String> all = lines(file());
    all.set(1_949, all.get(1_949).replace("/reports/1950\"", "/reports/1959\""));
    rechain(all, 1_949);
    rewrite(file(), all);
    assertThat(AuditChainVerifier.verify(file()).intact()).isTrue(); // the chain alone can't tell

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 80);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.firstBadLine()).isEqualTo(2_000);
    assertThat(window.problem()).contains("is not the one its checkpoint vouches for");
  }

  @Test
  void forgedCheckpoint_isRefused() throws IOException {
    write(1, 2_000, 100);
    List<String> all = lines(file());
    all.set(1_989, all.get(1_989).replace("/reports/1990\"", "/reports/1999\""));
    rechain(all, 1_989);
    rewrite(file(), all);
    // A checkpoint for the rewritten last record, tagged under a key that is not the ring's.
    List<String> cps = lines(checkpoints());
    AuditCheckpoint last = AuditCheckpoint.parse(
            cps.get(cps.size() - 1).getBytes(StandardCharsets.UTF_8))
        .checkpoint();
    String newHash =
        HashChain.parse(all.get(1_999).getBytes(StandardCharsets.UTF_8)).hash();
    cps.set(
        cps.size() - 1,
        new String(
            new AuditCheckpoint(last.seq(), last.offset(), newHash, last.every())
                .line(KeyedMac.create(ring(9), Purpose.AUDIT_CHECKPOINT)),
            StandardCharsets.UTF_8));
    rewrite(checkpoints(), cps);

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.firstBadLine()).isZero();
    assertThat(window.describe())
        .isEqualTo("NOT INTACT: checkpoints: the newest checkpoint (for record 2000) does not"
            + " verify: forged or altered, or made under a key this key ring does not hold (revoked since, or"
            + " another ring's)");
  }

  @Test
  void checkpointCutShort_isRefused() throws IOException {
    write(1, 2_000, 100);
    List<String> cps = lines(checkpoints());
    String cut = cps.get(cps.size() - 2);
    cps.set(cps.size() - 2, cut.substring(0, cut.length() - 20));
    rewrite(checkpoints(), cps);

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 150);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.problem())
        .isEqualTo("the checkpoint before the one for record 2000 is not a checkpoint line:"
            + " altered or cut short");
  }

  @Test
  void checkpointFileEndingInPartOfACheckpoint_isRefused() throws IOException {
    write(1, 500, 100);
    try (RandomAccessFile raf = new RandomAccessFile(checkpoints().toFile(), "rw")) {
      raf.setLength(raf.length() - 30);
    }

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.problem()).contains("ends in part of a checkpoint");
  }

  @Test
  void recordsCutFromTheEnd_areNamed() throws IOException {
    write(1, 2_000, 100);
    List<String> all = lines(file());
    rewrite(file(), all.subList(0, 1_990));

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.problem())
        .startsWith("the log ends at record 1990")
        .endsWith("records were removed from the end");
  }

  @Test
  void checkpointsCutFromTheEnd_areNamed_onceMoreThanAnIntervalFollows() throws IOException {
    write(1, 2_000, 100);
    List<String> cps = lines(checkpoints());
    // One cut is within the interval the sink may leave unsealed; two are not.
    rewrite(checkpoints(), cps.subList(0, cps.size() - 1));
    assertThat(AuditChainVerifier.verifyNewest(file(), KEYS, 50).status())
        .isEqualTo(Window.Status.VERIFIED);
    rewrite(checkpoints(), cps.subList(0, cps.size() - 2));

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 50);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.problem())
        .startsWith("200 records after the newest checkpoint (record 1800)");
  }

  @Test
  void logWithoutCheckpoints_isBrokenUnderTheKeyRing_andRefusedByTheKeyedSink() throws IOException {
    try (AuditSink old = AuditSink.hashChained(file())) {
      for (int i = 1; i <= 500; i++) {
        old.accept(event(i));
      }
    }
    Window before = AuditChainVerifier.verifyNewest(file(), KEYS, 50);
    assertThat(before.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(before.firstBadLine()).isZero();
    assertThat(before.records()).hasSize(50);
    assertThat(before.firstLine()).isEqualTo(451);
    assertThat(before.describe())
        .startsWith("NOT INTACT: checkpoints: the log has 500 records but no checkpoint file");
    // However short the window: nothing vouches for the records.
    assertThat(AuditChainVerifier.verifyNewest(file(), KEYS, 500).status())
        .isEqualTo(Window.Status.BROKEN);
    assertThat(AuditChainVerifier.verify(file()).intact()).isTrue();

    assertThatThrownBy(() -> write(501, 520, 100))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file() + " has 500 records but no checkpoint file");
    assertThat(lines(file())).hasSize(500);
    assertThat(checkpoints()).doesNotExist();
  }

  @Test
  void recordsBeforeTheFirstCheckpoint_areVerifiedBackwardsFromIt() throws IOException {
    try (AuditSink old = AuditSink.hashChained(file())) {
      for (int i = 1; i <= 500; i++) {
        old.accept(event(i));
      }
    }
    // The checkpoints start at record 500, as the key's holder may write them for such a log.
    List<String> all = lines(file());
    String head = HashChain.parse(all.get(499).getBytes(StandardCharsets.UTF_8)).hash();
    Files.write(
        checkpoints(),
        List.of(new String(
            new AuditCheckpoint(500, Files.size(file()), head, 100).line(MAC),
            StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8);
    write(501, 520, 100);

    assertThat(lines(checkpoints()))
        .extracting(l -> AuditCheckpoint.parse(l.getBytes(StandardCharsets.UTF_8))
            .checkpoint()
            .seq())
        .containsExactly(500L, 520L);
    Window after = AuditChainVerifier.verifyNewest(file(), KEYS, 50);
    assertThat(after.status()).isEqualTo(Window.Status.VERIFIED);
    assertThat(after.firstLine()).isEqualTo(471);
    assertThat(after.records()).hasSize(50);

    all = lines(file());
    all.set(479, all.get(479).replace("/reports/480\"", "/reports/488\""));
    rechain(all, 479);
    rewrite(file(), all);
    Window tampered = AuditChainVerifier.verifyNewest(file(), KEYS, 50);
    assertThat(tampered.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(tampered.firstBadLine()).isEqualTo(500);
  }

  @Test
  void firstRecordWithoutItsCheckpoint_andABrokenChain_isRefused_ratherThanVouchedFor()
      throws IOException {
    write(1, 1, 100);
    Files.write(checkpoints(), new byte[0]); // as a crash before the first checkpoint leaves it
    // The record hashed again after its prev was changed: whole in itself, but not the chain's
    // first.
    String record = lines(file()).get(0);
    String content = record.substring(0, record.indexOf(",\"prev\":\"")) + ",\"prev\":\""
        + "1".repeat(64) + "\"";
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    rewrite(
        file(),
        List.of(content + ",\"hash\":\"" + HashChain.sha256Hex(bytes, bytes.length) + "\"}"));

    assertThatThrownBy(() -> write(2, 3, 100))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file() + " has 1 record but its checkpoint file " + checkpoints()
            + " holds no checkpoint");
    assertThat(lines(file())).hasSize(1);
    assertThat(Files.readString(checkpoints())).isEmpty();
  }

  @Test
  void sink_refusesCheckpointsThatVouchForRecordsTheLogNoLongerHas() throws IOException {
    write(1, 300, 100);
    List<String> all = lines(file());
    rewrite(file(), all.subList(0, 250));

    assertThatThrownBy(() -> write(301, 302, 100))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("vouches for record 300")
        .hasMessageContaining("ends at record 250");
  }

  @Test
  void sink_cutsAnUnfinishedCheckpoint_andCheckpointsAgain() throws IOException {
    write(1, 150, 100);
    try (RandomAccessFile raf = new RandomAccessFile(checkpoints().toFile(), "rw")) {
      raf.setLength(raf.length() - 30);
    }

    write(151, 160, 100);

    assertThat(lines(checkpoints()))
        .extracting(l -> AuditCheckpoint.parse(l.getBytes(StandardCharsets.UTF_8))
            .checkpoint()
            .seq())
        .containsExactly(1L, 100L, 150L, 160L);
    assertThat(AuditChainVerifier.verifyNewest(file(), KEYS, 20).status())
        .isEqualTo(Window.Status.VERIFIED);
  }

  @Test
  void command_withTheKeyRing_findsAConsistentRewriteThatTheChainAloneCannot() throws Exception {
    write(1, 2_000, 100);
    Path keyFile = dir.resolve("keyring.txt");
    KeyRingSources.createFile(KEYS, keyFile);
    String[] keyed = {"--key-ring", keyFile.toString(), file().toString()};
    assertThat(run(keyed)).startsWith("0 intact: 2000 records, head ");

    List<String> all = lines(file());
    all.set(149, all.get(149).replace("/reports/150\"", "/reports/159\""));
    rechain(all, 149);
    rewrite(file(), all);

    assertThat(run(file().toString())).startsWith("0 intact: 2000 records");
    assertThat(run(keyed))
        .isEqualTo("1 NOT INTACT: line 200: record 200 is not the one its checkpoint vouches for:"
            + " the records up to it were rewritten");
  }

  @Test
  void fullCheckWithTheKeyRing_refusesForgedAndRemovedCheckpoints() throws IOException {
    write(1, 1_000, 100);
    List<String> cps = lines(checkpoints());
    String third = cps.get(3); // after the first record's and those of records 100 and 200
    int hash = third.indexOf("\"hash\":\"") + 8;
    cps.set(
        3,
        third.substring(0, hash)
            + (third.charAt(hash) == '0' ? '1' : '0')
            + third.substring(hash + 1));
    rewrite(checkpoints(), cps);
    assertThat(AuditChainVerifier.verify(file(), KEYS).describe())
        .isEqualTo("NOT INTACT: line 300: the checkpoint after the one for record 200 (for record"
            + " 300) does not verify: forged or altered, or made under a key this key ring does not hold (revoked since, or"
            + " another ring's)");

    rewrite(checkpoints(), lines(checkpoints()).subList(0, 3));
    assertThat(AuditChainVerifier.verify(file(), KEYS).problem())
        .startsWith("800 records after the newest checkpoint (record 200)");
    assertThat(AuditChainVerifier.verify(file(), ring(8)).problem())
        .startsWith("the first checkpoint (for record 1) does not verify");
  }

  /** Runs the verifier's command: its exit code, a space, and what it printed. */
  static String run(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code = AuditChainVerifier.run(
        args,
        new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    return code + " " + out.toString(StandardCharsets.UTF_8).strip()
        + err.toString(StandardCharsets.UTF_8).strip();
  }

  /** Recomputes seq, prev and hash from line {@code from} on, as a writer without the key could. */
  private static void rechain(List<String> lines, int from) {
    String prev =
        HashChain.parse(lines.get(from - 1).getBytes(StandardCharsets.UTF_8)).hash();
    for (int i = from; i < lines.size(); i++) {
      String line = lines.get(i);
      String body = line.substring(0, line.indexOf(",\"prev\":\""));
      String content = body + ",\"prev\":\"" + prev + "\"";
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      String hash = HashChain.sha256Hex(bytes, bytes.length);
      lines.set(i, content + ",\"hash\":\"" + hash + "\"}");
      prev = hash;
    }
  }
}
