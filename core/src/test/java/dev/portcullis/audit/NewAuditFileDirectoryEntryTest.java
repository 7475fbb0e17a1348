package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyedMac;
import dev.portcullis.crypto.Purpose;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file the audit sinks create is not safe on disk until its directory entry is: a lost machine can lose a new file
 * whatever was forced into it. The keyed sink forces the entries of a new log and of its checkpoint file, so that a
 * first record is never left on disk without the checkpoint file its checkpoint was forced into.
 */
class NewAuditFileDirectoryEntryTest {
  private static final KeyedMac MAC =
      KeyedMac.create(AuditCheckpointTest.ring(7), Purpose.AUDIT_CHECKPOINT);

  @TempDir
  Path dir;

  private final List<String> calls = new ArrayList<>();

  /** The real files, with what is opened and whose directory entry is forced recorded. */
  private final LineFile.Opener recording = new LineFile.Opener() {
    @Override
    public FileChannel open(Path path) throws IOException {
      calls.add("open " + path.getFileName());
      return LineFile.Opener.FILE.open(path);
    }

    @Override
    public void forceDirectoryOf(Path file) throws IOException {
      calls.add("directory " + file.getFileName());
      LineFile.Opener.FILE.forceDirectoryOf(file);
    }
  };

  private static AuditEvent event() {
    return Fixtures.event(AuditEventType.of("report_view"))
        .actor(AuditEvent.Actor.of("u-1", "org-1"))
        .resource("/reports/1")
        .build();
  }

  @Test
  void newLogAndCheckpointFile_haveTheirDirectoryEntriesForced_existingOnesAreNot()
      throws IOException {
    Path file = dir.resolve("audit.jsonl");
    try (HashChainedAuditSink sink = HashChainedAuditSink.open(file, recording, MAC, 100)) {
      assertThat(calls)
          .containsExactly(
              "open audit.jsonl",
              "directory audit.jsonl",
              "open audit.jsonl.checkpoints",
              "directory audit.jsonl.checkpoints");
      sink.accept(event());
    }
    calls.clear();

    try (HashChainedAuditSink sink = HashChainedAuditSink.open(file, recording, MAC, 100)) {
      assertThat(calls).containsExactly("open audit.jsonl", "open audit.jsonl.checkpoints");
    }
    assertThat(AuditChainVerifier.verify(file, AuditCheckpointTest.ring(7)).intact())
        .isTrue();
  }

  @Test
  void forceDirectory_succeedsOnTheRealFileSystem() throws IOException {
    Path file = dir.resolve("created.jsonl");
    java.nio.file.Files.write(file, new byte[0]);

    LineFile.forceDirectory(file);

    assertThat(file).exists();
  }
}
