package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process is killed mid-write: the hash-chained file ends in a torn record. The next open reports it, keeps the
 * torn bytes, marks the cut in the chain and continues from the last whole record; the verifier is unambiguous before
 * (NOT INTACT, the torn line) and after (intact, one torn record cut).
 */
class AuditTornWriteTest {
  @TempDir
  Path dir;

  private static AuditEvent event(int i) {
    return Fixtures.event(AuditEventType.of("report_view"))
        .id(String.format(Locale.ROOT, "evt-%010d", i))
        .actor(AuditEvent.Actor.of("u-alice", "riverside"))
        .resource("/reports/" + i)
        .build();
  }

  /** A chained file of {@code records} records, and the whole line record {@code records + 1} would have been. */
  private byte[] writeChainAndNextLine(Path file, int records) throws IOException {
    Path scratch = dir.resolve("scratch-" + file.getFileName());
    try (AuditSink sink = AuditSink.hashChained(scratch)) {
      for (int i = 1; i <= records + 1; i++) {
        sink.accept(event(i));
      }
    }
    List<String> lines = Files.readAllLines(scratch, StandardCharsets.UTF_8);
    Files.write(file, lines.subList(0, records), StandardCharsets.UTF_8);
    Files.delete(scratch);
    return lines.get(records).getBytes(StandardCharsets.UTF_8);
  }

  private static void append(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes, StandardOpenOption.APPEND);
  }

  @Test
  void killedMidWrite_tornLineIsReported_keptAside_markedInTheChain_andTheChainContinues()
      throws IOException {
    Path file = dir.resolve("audit.jsonl");
    byte[] next = writeChainAndNextLine(file, 5);
    String lastHash = Fixtures.parsed(file).get(4).get("hash").asText();
    byte[] torn = Arrays.copyOf(next, 150); // the kill came 150 bytes into record 6
    append(file, torn);

    AuditChainVerifier.Result before = AuditChainVerifier.verify(file);
    assertThat(before.intact()).isFalse();
    assertThat(before.firstBadLine()).isEqualTo(6);
    assertThat(before.describe())
        .contains("NOT INTACT: line 6: incomplete record")
        .contains("torn write");

    String log = Fixtures.capturingStderr(() -> {
      try (AuditSink sink = AuditSink.hashChained(file)) {
        sink.accept(event(100));
        sink.accept(event(101));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    String sha256 = HashChain.sha256Hex(torn, torn.length);
    assertThat(log)
        .contains("ERROR")
        .contains("ends in a torn record (150 bytes after seq 5, SHA-256 " + sha256)
        .contains("audit.jsonl.torn")
        .doesNotContain("u-alice");

    // The torn bytes are kept, byte for byte, beside the file.
    byte[] kept = Files.readAllBytes(dir.resolve("audit.jsonl.torn"));
    assertThat(kept).isEqualTo(concat(torn, new byte[] {'\n'}));

    List<JsonNode> records = Fixtures.parsed(file);
    assertThat(records).hasSize(8);
    JsonNode marker = records.get(5);
    assertThat(marker.get("type").asText()).isEqualTo("audit_record_torn");
    assertThat(marker.get("outcome").asText()).isEqualTo("failure");
    assertThat(marker.get("seq").asLong()).isEqualTo(6);
    assertThat(marker.get("prev").asText())
        .as("chained to the last whole record")
        .isEqualTo(lastHash);
    assertThat(marker.get("resource").asText()).isEqualTo("audit.jsonl.torn");
    assertThat(marker.get("reason").asText())
        .contains("150 bytes after seq 5")
        .contains(sha256.substring(0, 16));
    assertThat(records.get(6).get("id").asText()).isEqualTo("evt-0000000100");
    assertThat(records.get(6).get("seq").asLong()).isEqualTo(7);

    AuditChainVerifier.Result after = AuditChainVerifier.verify(file);
    assertThat(after.intact()).as(after.describe()).isTrue();
    assertThat(after.records()).isEqualTo(8);
    assertThat(after.tornRecordsCut()).isEqualTo(1);
    assertThat(after.describe())
        .endsWith("; 1 torn record cut (see the audit_record_torn records)");

    // The repair is a record like any other: removing it breaks the chain.
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    lines.remove(5);
    Files.write(file, lines, StandardCharsets.UTF_8);
    AuditChainVerifier.Result withoutMarker = AuditChainVerifier.verify(file);
    assertThat(withoutMarker.intact()).isFalse();
    assertThat(withoutMarker.firstBadLine()).isEqualTo(6);
    assertThat(withoutMarker.problem()).contains("missing record: seq 6");
  }

  @Test
  void intactFile_hasNoTornRecordsCut_andWritesNoMarker() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    writeChainAndNextLine(file, 3);
    try (AuditSink sink = AuditSink.hashChained(file)) {
      sink.accept(event(4));
    }
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).isTrue();
    assertThat(r.tornRecordsCut()).isZero();
    assertThat(r.describe()).doesNotContain("torn");
    assertThat(dir.resolve("audit.jsonl.torn")).doesNotExist();
    assertThat(Fixtures.parsed(file))
        .noneMatch(n -> n.get("type").asText().equals("audit_record_torn"));
  }

  @Test
  void wholeRecordMissingOnlyItsNewline_isCompleted_notCut() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    byte[] next = writeChainAndNextLine(file, 2);
    append(file, next);
    String log = Fixtures.capturingStderr(() -> {
      try (AuditSink sink = AuditSink.hashChained(file)) {
        sink.accept(event(9));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(log).contains("WARN").contains("without its newline");
    assertThat(dir.resolve("audit.jsonl.torn")).doesNotExist();
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).as(r.describe()).isTrue();
    assertThat(r.records()).isEqualTo(4);
    assertThat(r.tornRecordsCut()).isZero();
    assertThat(Fixtures.parsed(file).get(2).get("id").asText()).isEqualTo("evt-0000000003");
  }

  @Test
  void tornFirstRecord_isCut_andTheMarkerStartsTheChain() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    byte[] first = writeChainAndNextLine(file, 0);
    append(file, Arrays.copyOf(first, 40));
    Fixtures.capturingStderr(() -> {
      try (AuditSink sink = AuditSink.hashChained(file)) {
        sink.accept(event(2));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    List<JsonNode> records = Fixtures.parsed(file);
    assertThat(records.get(0).get("type").asText()).isEqualTo("audit_record_torn");
    assertThat(records.get(0).get("prev").asText()).isEqualTo(HashChain.GENESIS);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).as(r.describe()).isTrue();
    assertThat(r.records()).isEqualTo(2);
  }

  @Test
  void markerThatCannotBeWritten_leavesATornLine_thatTheNextOpenRepairs() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    byte[] next = writeChainAndNextLine(file, 3);
    byte[] torn = Arrays.copyOf(next, 120);
    append(file, torn);
    long size = Files.size(file);
    FakeDisk disk = new FakeDisk();
    disk.fill(0); // the marker is longer than the torn bytes: it does not fit
    String log = Fixtures.capturingStderr(() -> assertThatThrownBy(() -> disk.hashChained(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("No space left"));
    assertThat(log).contains("ends in a torn record");
    // What fitted of the marker overwrote the torn bytes; the file still ends in a partial line.
    assertThat(Files.size(file)).isEqualTo(size);
    byte[] after = Files.readAllBytes(file);
    assertThat(after[after.length - 1])
        .as("still torn: found again at the next open")
        .isNotEqualTo((byte) '\n');
    assertThat(AuditChainVerifier.verify(file).intact()).isFalse();

    Fixtures.capturingStderr(() -> {
      try (AuditSink sink = AuditSink.hashChained(file)) {
        sink.accept(event(4));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).as(r.describe()).isTrue();
    assertThat(r.records()).isEqualTo(5);
    assertThat(r.tornRecordsCut()).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl.torn"), StandardCharsets.UTF_8))
        .as("each attempt kept what it cut")
        .hasSize(2);
  }

  @Test
  void alteredLastRecordBeforeATornLine_isRefused_notRepaired() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    byte[] next = writeChainAndNextLine(file, 3);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    lines.set(2, lines.get(2).replace("/reports/3", "/reports/9"));
    Files.write(file, lines, StandardCharsets.UTF_8);
    append(file, Arrays.copyOf(next, 50));
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> AuditSink.hashChained(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an intact chain record");
    assertThat(Files.readAllBytes(file)).as("left as found").isEqualTo(before);
    assertThat(dir.resolve("audit.jsonl.torn")).doesNotExist();
  }

  @Test
  void unterminatedTailLongerThanAnyTornWrite_isRefused() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    writeChainAndNextLine(file, 2);
    byte[] junk = new byte[LineFile.MAX_TORN_TAIL + 1];
    Arrays.fill(junk, (byte) 'x');
    append(file, junk);
    assertThatThrownBy(() -> AuditSink.hashChained(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("more than a torn write leaves");
    assertThat(dir.resolve("audit.jsonl.torn")).doesNotExist();
  }

  @Test
  void plainJsonLinesFile_stillRefusesATornLine() throws IOException {
    Path file = dir.resolve("plain.jsonl");
    Files.writeString(file, "{\"kind\":\"audit\",\"id\":\"x\"", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> AuditSink.jsonLines(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("partial record");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
