package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashChainTest {
  @TempDir
  Path dir;

  private Path writeChain(int records) throws IOException {
    Path file = dir.resolve("audit.jsonl");
    try (AuditSink sink = AuditSink.hashChained(file)) {
      for (int i = 1; i <= records; i++) {
        sink.accept(Fixtures.event(AuditEventType.of("report_view"))
            .id("evt-" + String.format(java.util.Locale.ROOT, "%010d", i))
            .actor(AuditEvent.Actor.of("u-" + i, "org-1"))
            .resource("/reports/" + i)
            .reason(i % 2 == 0 ? "line\nbreak \u001b[2J and \"quotes\" é" : null)
            .build());
      }
    }
    return file;
  }

  private static List<String> lines(Path file) throws IOException {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private static void rewrite(Path file, List<String> lines) throws IOException {
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  @Test
  void intactChain_verifies() throws IOException {
    Path file = writeChain(10);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).as(r.describe()).isTrue();
    assertThat(r.records()).isEqualTo(10);
    assertThat(r.head()).isEqualTo(Fixtures.parsed(file).get(9).get("hash").asText());
  }

  @Test
  void records_areJsonWithSeqPrevAndHash_linkedFromGenesis() throws IOException {
    List<JsonNode> records = Fixtures.parsed(writeChain(3));
    assertThat(records.get(0).get("seq").asLong()).isEqualTo(1);
    assertThat(records.get(0).get("prev").asText()).isEqualTo("0".repeat(64));
    assertThat(records.get(1).get("prev").asText())
        .isEqualTo(records.get(0).get("hash").asText());
    assertThat(records.get(2).get("prev").asText())
        .isEqualTo(records.get(1).get("hash").asText());
    assertThat(records.get(1).get("reason").asText())
        .isEqualTo("line\nbreak \u001b[2J and \"quotes\" é");
  }

  @Test
  void longSequenceNumbers_stillParse() {
    String content = "{\"kind\":\"audit\",\"id\":\"evt-1\",\"seq\":" + Long.MAX_VALUE
        + ",\"prev\":\"" + "a".repeat(64) + "\"";
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    String line = content + ",\"hash\":\"" + HashChain.sha256Hex(bytes, bytes.length) + "\"}";
    HashChain.Link link = HashChain.parse(line.getBytes(StandardCharsets.UTF_8));
    assertThat(link).isNotNull();
    assertThat(link.seq()).isEqualTo(Long.MAX_VALUE);
    assertThat(link.selfConsistent()).isTrue();
  }

  @Test
  void emptyFile_isAnIntactEmptyChain() throws IOException {
    Path file = dir.resolve("empty.jsonl");
    Files.createFile(file);
    assertThat(AuditChainVerifier.verify(file).intact()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 10})
  void alteredRecord_isNamed(int line) throws IOException {
    Path file = writeChain(10);
    List<String> lines = lines(file);
    lines.set(line - 1, lines.get(line - 1).replace("\"u-" + line + "\"", "\"u-999\""));
    rewrite(file, lines);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).isFalse();
    assertThat(r.firstBadLine()).isEqualTo(line);
    assertThat(r.problem()).contains("altered");
  }

  @Test
  void alteredRecordWithRecomputedHash_isNamedByTheNextRecord() throws IOException {
    Path file = writeChain(6);
    List<String> lines = lines(file);
    // A forger who fixes the record's own hash still breaks the link from the record after it.
    String forged = lines.get(2).replace("\"u-3\"", "\"u-9\"");
    int cut = forged.lastIndexOf(",\"hash\":\"");
    String content = forged.substring(0, cut);
    forged = content + ",\"hash\":\""
        + HashChain.sha256Hex(
            content.getBytes(StandardCharsets.UTF_8),
            content.getBytes(StandardCharsets.UTF_8).length)
        + "\"}";
    lines.set(2, forged);
    rewrite(file, lines);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.firstBadLine()).isEqualTo(4);
    assertThat(r.problem()).contains("chain broken").contains("line 3");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 9})
  void deletedRecord_isNamed(int line) throws IOException {
    Path file = writeChain(10);
    List<String> lines = lines(file);
    lines.remove(line - 1);
    rewrite(file, lines);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).isFalse();
    assertThat(r.firstBadLine()).isEqualTo(line);
    assertThat(r.problem()).contains("missing record").contains("seq " + line);
  }

  @Test
  void insertedRecord_isNamed() throws IOException {
    Path file = writeChain(10);
    List<String> lines = lines(file);
    lines.add(4, lines.get(7)); // a copy of a real, self-consistent record
    rewrite(file, lines);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.firstBadLine()).isEqualTo(5);
    assertThat(r.problem()).contains("out of order");
  }

  @Test
  void insertedForeignLine_isNamed() throws IOException {
    Path file = writeChain(5);
    List<String> lines = lines(file);
    lines.add(2, "{\"kind\":\"audit\",\"id\":\"forged\"}");
    rewrite(file, lines);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.firstBadLine()).isEqualTo(3);
    assertThat(r.problem()).contains("not a chain record");
  }

  @Test
  void duplicatedRecord_isNamed() throws IOException {
    Path file = writeChain(5);
    List<String> lines = lines(file);
    lines.add(3, lines.get(2));
    rewrite(file, lines);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.firstBadLine()).isEqualTo(4);
    assertThat(r.problem()).contains("inserted, repeated or out of order");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 9})
  void swappedRecords_areNamedAsReordered(int line) throws IOException {
    Path file = writeChain(10);
    List<String> lines = lines(file);
    Collections.swap(lines, line - 1, line);
    rewrite(file, lines);
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).isFalse();
    assertThat(r.firstBadLine()).isEqualTo(line);
    assertThat(r.problem()).contains("out of order");
  }

  @Test
  void incompleteLastLine_isNamed_asATornWrite() throws IOException {
    Path file = writeChain(3);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 20));
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).isFalse();
    assertThat(r.firstBadLine()).isEqualTo(3);
    assertThat(r.problem())
        .contains("incomplete")
        .contains("torn write")
        .contains("audit_record_torn");
    // The sink's repair on open is AuditTornWriteTest's subject.
  }

  @Test
  void fileWithoutTraceIds_continuesWithTraceIds_andStillVerifies() throws IOException {
    // Records without a trace id are byte for byte what the format wrote before the field existed.
    Path file = writeChain(3);
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    try (AuditSink sink = AuditSink.hashChained(file)) {
      sink.accept(Fixtures.event(AuditEventType.LOGOUT)
          .id("evt-with-trace")
          .requestId("req-1")
          .traceId(traceId)
          .build());
    }
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).as(r.describe()).isTrue();
    assertThat(r.records()).isEqualTo(4);
    List<JsonNode> records = Fixtures.parsed(file);
    assertThat(records.get(0).has("trace_id")).isFalse();
    assertThat(records.get(3).get("trace_id").asText()).isEqualTo(traceId);

    List<String> lines = lines(file);
    lines.set(3, lines.get(3).replace(traceId, "00f92f3577b34da6a3ce929d0e0e4736"));
    rewrite(file, lines);
    assertThat(AuditChainVerifier.verify(file).firstBadLine()).isEqualTo(4);
  }

  @Test
  void reopenedSink_continuesTheChainFromTheLastRecord() throws IOException {
    Path file = writeChain(4);
    try (AuditSink sink = AuditSink.hashChained(file)) {
      sink.accept(Fixtures.event(AuditEventType.LOGOUT).id("evt-after-restart").build());
    }
    try (AuditSink sink = AuditSink.hashChained(file)) {
      sink.accept(
          Fixtures.event(AuditEventType.LOGOUT).id("evt-after-second-restart").build());
    }
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).as(r.describe()).isTrue();
    assertThat(r.records()).isEqualTo(6);
    List<JsonNode> records = Fixtures.parsed(file);
    assertThat(records.get(4).get("seq").asLong()).isEqualTo(5);
    assertThat(records.get(4).get("prev").asText())
        .isEqualTo(records.get(3).get("hash").asText());
  }

  @Test
  void sinkRefusesToContinueAChainWhoseLastRecordWasAltered() throws IOException {
    Path file = writeChain(3);
    List<String> lines = lines(file);
    lines.set(2, lines.get(2).replace("\"u-3\"", "\"u-7\""));
    rewrite(file, lines);
    assertThatThrownBy(() -> AuditSink.hashChained(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an intact chain record");
  }

  @Test
  void verifyCommand_exitsZeroWhenIntact_oneWhenNot_twoOnUsageOrReadErrors() throws IOException {
    Path file = writeChain(3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(AuditChainVerifier.run(new String[] {file.toString()}, o, e)).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("intact: 3 records, head ");

    List<String> lines = lines(file);
    lines.remove(1);
    rewrite(file, lines);
    out.reset();
    assertThat(AuditChainVerifier.run(new String[] {file.toString()}, o, e)).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("NOT INTACT: line 2: missing record: seq 2");

    assertThat(AuditChainVerifier.run(new String[] {}, o, e)).isEqualTo(2);
    assertThat(AuditChainVerifier.run(new String[] {dir.resolve("absent").toString()}, o, e))
        .isEqualTo(2);
  }
}
