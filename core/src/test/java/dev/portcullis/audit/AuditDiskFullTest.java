package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.RecordingAuditSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit file on a full disk: a failed write leaves no partial record, nothing accepted is lost, the failure is
 * reported, and the log recovers by itself when space comes back. On a {@link FakeDisk} (fills on demand) and, where
 * this process may mount one, on a real 400 KB tmpfs.
 */
class AuditDiskFullTest {
  @TempDir
  Path dir;

  private static AuditEvent event(int i) {
    return Fixtures.event(AuditEventType.of("report_view"))
        .id(String.format(Locale.ROOT, "evt-%010d", i))
        .actor(AuditEvent.Actor.of("u-alice", "riverside"))
        .action("report_view")
        .resource("/reports/" + i)
        .build();
  }

  private static List<String> ids(Path file) {
    List<String> ids = new ArrayList<>();
    Fixtures.parsed(file).forEach(n -> ids.add(n.get("id").asText()));
    return ids;
  }

  private static void assertWholeRecordsOnly(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes.length == 0 || bytes[bytes.length - 1] == '\n')
        .as("ends with a whole record")
        .isTrue();
    AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
    assertThat(r.intact()).as(r.describe()).isTrue();
  }

  @Test
  void failedFlush_isCutBackToTheLastWholeRecord_andTheNextFlushWritesTheRestOnce()
      throws IOException {
    FakeDisk disk = new FakeDisk();
    Path file = dir.resolve("audit.jsonl");
    try (AuditSink sink = disk.hashChained(file)) {
      for (int i = 1; i <= 3; i++) {
        sink.accept(event(i));
      }
      sink.flush();
      long before = Files.size(file);
      disk.fill(100); // part of the next record fits: the write tears
      sink.accept(event(4));
      sink.accept(event(5));
      assertThatThrownBy(sink::flush)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("No space left");
      assertThat(disk.refusedWrites()).isEqualTo(1);
      assertThat(Files.size(file)).as("the torn 100 bytes were cut off").isEqualTo(before);
      assertWholeRecordsOnly(file);
      assertThatThrownBy(sink::flush)
          .isInstanceOf(IOException.class); // still full: still nothing torn
      assertWholeRecordsOnly(file);

      disk.free();
      sink.flush();
      assertWholeRecordsOnly(file);
      assertThat(ids(file))
          .containsExactly(
              "evt-0000000001",
              "evt-0000000002",
              "evt-0000000003",
              "evt-0000000004",
              "evt-0000000005");
    }
    assertThat(AuditChainVerifier.verify(file).records()).isEqualTo(5);
  }

  @Test
  void eventRefusedForLackOfSpace_isNotChained_soOfferingItAgainGivesTheSameRecord()
      throws IOException {
    FakeDisk disk = new FakeDisk();
    Path file = dir.resolve("audit.jsonl");
    int refusedAt = 0;
    try (AuditSink sink = disk.hashChained(file)) {
      sink.accept(event(1));
      sink.flush();
      disk.fill(0);
      // Lines collect in memory until the buffer is full; the one that needs the buffer written is
      // refused.
      for (int i = 2; refusedAt == 0; i++) {
        try {
          sink.accept(event(i));
        } catch (IOException e) {
          refusedAt = i;
        }
        assertThat(i).as("the buffer is bounded").isLessThan(LineFile.BUFFER / 100);
      }
      assertWholeRecordsOnly(file);
      assertThat(ids(file)).hasSize(1);
      disk.free();
      sink.accept(event(refusedAt)); // the caller offers the refused event again
      sink.accept(event(refusedAt + 1));
    }
    assertWholeRecordsOnly(file);
    List<String> ids = ids(file);
    assertThat(ids).hasSize(refusedAt + 1).doesNotHaveDuplicates();
    for (int i = 1; i <= refusedAt + 1; i++) {
      assertThat(ids.get(i - 1)).isEqualTo(String.format(Locale.ROOT, "evt-%010d", i));
    }
  }

  @Test
  void plainJsonLinesFile_alsoHoldsWholeRecordsOnly() throws IOException {
    FakeDisk disk = new FakeDisk();
    Path file = dir.resolve("audit.jsonl");
    try (AuditSink sink = disk.jsonLines(file)) {
      sink.accept(event(1));
      sink.flush();
      disk.fill(30);
      sink.accept(event(2));
      assertThatThrownBy(sink::flush).isInstanceOf(IOException.class);
      assertThat(Fixtures.parsed(file)).hasSize(1);
      disk.free();
    }
    assertThat(ids(file)).containsExactly("evt-0000000001", "evt-0000000002");
  }

  /**
   * Regression: at close, a file sink on a full disk had taken events into its buffer (the event that met the full
   * disk, and the kept ones its last attempt offered it) and lost them when it closed, but the ERROR line counted only
   * the events the audit log still kept for it: {@code 0 events it did not take are lost}, for three events lost. The
   * line now counts both kinds.
   */
  @Test
  void closeOnAFullDisk_countsTheEventsTheFileSinkTookAndCouldNotWrite() throws Exception {
    FakeDisk disk = new FakeDisk();
    Path file = dir.resolve("audit.jsonl");
    AuditLog log = Fixtures.log()
        .retryInterval(Duration.ofMinutes(10))
        .auditSink(disk.hashChained(file))
        .build();
    log.emit(event(1));
    log.emit(event(2));
    assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
    disk.fill(0);
    String report = Fixtures.capturingStderr(() -> {
      log.emit(event(3));
      try {
        assertThat(log.flush(Duration.ofSeconds(10)))
            .as("the full disk is noticed")
            .isFalse();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      log.emit(event(4));
      log.emit(event(5));
      log.close();
    });
    assertWholeRecordsOnly(file);
    assertThat(ids(file)).containsExactly("evt-0000000001", "evt-0000000002");
    assertThat(report)
        .contains("is still failing at close: 3 events are lost (0 it did not take, 3 it took and"
            + " could not write)")
        .doesNotContain("/reports/");
  }

  @Test
  void auditLog_onAFullDisk_keepsEveryEvent_reportsTheSinkOutOfService_andRecoversWithoutRestart()
      throws Exception {
    FakeDisk disk = new FakeDisk();
    Path file = dir.resolve("audit.jsonl");
    RecordingAuditSink copy = new RecordingAuditSink();
    String report;
    try (AuditLog log = Fixtures.log()
        .retryInterval(Duration.ofMinutes(10))
        .auditSink(disk.hashChained(file))
        .auditSink(copy)
        .build()) {
      for (int i = 0; i < 9; i++) {
        log.emit(log.event(AuditEventType.of("report_view"))
            .resource("/reports/" + i)
            .build());
      }
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      disk.fill(150);
      report = Fixtures.capturingStderr(() -> {
        try {
          for (int i = 9; i < 29; i++) {
            log.emit(log.event(AuditEventType.of("report_view"))
                .resource("/reports/" + i)
                .build());
          }
          assertThat(log.flush(Duration.ofSeconds(10)))
              .as("flush says the sink is failing")
              .isFalse();
          assertThat(log.health().healthy()).isFalse();
          assertThat(log.health().failingSinks()).isEqualTo(1);
          assertWholeRecordsOnly(file);
          assertThat(ids(file)).hasSize(9);
          assertThat(copy.events()).as("the other sink goes on").hasSize(29);

          disk.free();
          assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
          assertThat(log.health()).isEqualTo(AuditLog.Health.HEALTHY);
        } catch (IOException | InterruptedException e) {
          throw new AssertionError(e);
        }
      });
    }
    assertWholeRecordsOnly(file);
    assertThat(ids(file))
        .as("every accepted event, once, in order")
        .containsExactlyElementsOf(copy.events().stream().map(AuditEvent::id).toList());
    assertThat(report)
        .contains("ERROR")
        .contains("failed to flush: java.io.IOException; it is out of service")
        .contains("WARN")
        .contains("recovered")
        .doesNotContain("/reports/");
  }

  /**
   * The fault as it was found: the audit file on a 400 KB file system, the disk filled, 20 events, the space freed.
   * Needs {@code mount -t tmpfs} (root, or a user namespace that allows it); skipped with the reason otherwise.
   */
  @Test
  void realSmallFileSystem_filledAndFreed_leavesAnIntactChainWithEveryEventOnce() throws Exception {
    Path mountPoint = Files.createTempDirectory("portcullis-tmpfs-");
    String refused = mount(mountPoint);
    if (refused != null) {
      Files.delete(mountPoint);
      System.out.println("SKIPPED realSmallFileSystem test: cannot mount a 400 KB tmpfs here ("
          + refused + "); the FakeDisk tests above cover the same promises");
      Assumptions.abort("cannot mount a tmpfs: " + refused);
    }
    try {
      Path file = mountPoint.resolve("audit.jsonl");
      RecordingAuditSink copy = new RecordingAuditSink();
      try (AuditLog log = Fixtures.log()
          .retryInterval(Duration.ofMinutes(10))
          .auditSink(AuditSink.hashChained(file))
          .auditSink(copy)
          .build()) {
        for (int i = 0; i < 9; i++) {
          log.emit(log.event(AuditEventType.LOGOUT)
              .actor(AuditEvent.Actor.of("u-alice", "riverside"))
              .build());
        }
        assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
        Path filler = mountPoint.resolve("filler");
        fillDisk(filler);
        Fixtures.capturingStderr(() -> {
          try {
            for (int i = 0; i < 20; i++) {
              log.emit(log.event(AuditEventType.of("report_view"))
                  .actor(AuditEvent.Actor.of("u-alice", "riverside"))
                  .resource("/reports/" + i)
                  .build());
            }
            assertThat(log.flush(Duration.ofSeconds(10)))
                .as("the full disk is noticed")
                .isFalse();
            assertThat(log.health().healthy()).isFalse();
            assertWholeRecordsOnly(file);
            Files.delete(filler);
            assertThat(log.flush(Duration.ofSeconds(10)))
                .as("and recovered from")
                .isTrue();
            assertThat(log.health().healthy()).isTrue();
          } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
          }
        });
      }
      AuditChainVerifier.Result r = AuditChainVerifier.verify(file);
      assertThat(r.intact()).as(r.describe()).isTrue();
      assertThat(r.records()).isEqualTo(29);
      assertThat(ids(file))
          .containsExactlyElementsOf(copy.events().stream().map(AuditEvent::id).toList());
    } finally {
      unmount(mountPoint);
    }
  }

  /** Null if mounted, else why not. */
  private static String mount(Path at) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(
              "mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", at.toString())
          .redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "mount did not finish";
      }
      return p.exitValue() == 0 ? null : "mount exited " + p.exitValue() + ": " + out;
    } catch (IOException e) {
      return "no mount command: " + e.getMessage();
    }
  }

  private static void unmount(Path at) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("umount", at.toString()).inheritIO().start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("umount " + at)
        .isTrue();
    Files.delete(at);
  }

  private static void fillDisk(Path filler) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
  }
}
