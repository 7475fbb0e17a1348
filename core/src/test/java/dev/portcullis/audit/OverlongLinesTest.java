package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditChainVerifier.Window;
import dev.portcullis.crypto.KeyRing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line far longer than any record, appended to a keyed log or to its checkpoint file by someone who can write them:
 * the checks name it as not a record or not a checkpoint, and read it no further than a long record, rather than hold
 * all of it in memory (a line of gigabytes would not fit).
 */
class OverlongLinesTest {
  private static final KeyRing KEYS = AuditCheckpointTest.ring(7);
  private static final int OVERLONG = 16 * 1024 * 1024;

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private Path checkpoints() {
    return dir.resolve("audit.jsonl.checkpoints");
  }

  private void write(int records) throws IOException {
    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      for (int i = 1; i <= records; i++) {
        sink.accept(Fixtures.event(AuditEventType.of("report_view"))
            .id("evt-" + String.format(Locale.ROOT, "%010d", i))
            .actor(AuditEvent.Actor.of("u-" + i, "org-1"))
            .resource("/reports/" + i)
            .build());
      }
    }
  }

  /** Appends one line of {@code OVERLONG} bytes (a checkpoint's start, then 'a's) and its newline. */
  private static void appendOverlongLine(Path file) throws IOException {
    byte[] line = new byte[OVERLONG + 1];
    Arrays.fill(line, (byte) 'a');
    byte[] start = "{\"kind\":\"audit_checkpoint\",\"seq\":"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(start, 0, line, 0, start.length);
    line[OVERLONG] = '\n';
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.APPEND)) {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  @Test
  void overlongCheckpointLine_isNotACheckpoint_andIsNotReadWhole() throws IOException {
    write(30);
    appendOverlongLine(checkpoints());

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 10);

    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.describe())
        .isEqualTo(
            "NOT INTACT: checkpoints: the newest checkpoint is not a checkpoint line: altered or"
                + " cut short");
    assertThat(window.bytesRead())
        .as("read no further back than a long record")
        .isLessThan(300_000L);
    assertThat(AuditChainVerifier.verify(file(), KEYS).describe())
        .isEqualTo("NOT INTACT: line 31: the checkpoint after the one for record 30 is not a"
            + " checkpoint line: altered or cut short");
  }

  @Test
  void overlongLastRecord_isNamed_asNotARecord() throws IOException {
    write(30);
    appendOverlongLine(file());

    Window window = AuditChainVerifier.verifyNewest(file(), KEYS, 10);
    assertThat(window.status()).isEqualTo(Window.Status.BROKEN);
    assertThat(window.firstBadLine()).isEqualTo(31);
    assertThat(window.records())
        .last()
        .isEqualTo("(a line longer than 131072 bytes, not read: no record of the sink's)");

    assertThat(AuditChainVerifier.verify(file(), KEYS).describe())
        .isEqualTo(
            "NOT INTACT: line 31: not a chain record: longer than any record the sink writes ("
                + "131072 bytes)");
  }
}
