package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesFileTest {
  @TempDir
  Path dir;

  private static SearchDemandEvent demand() {
    return Fixtures.demand("care homes", 2, 0);
  }

  @Test
  void auditAndDemandFiles_refuseEachOthersRecords() throws IOException {
    Path audit = dir.resolve("audit.jsonl");
    Path demand = dir.resolve("search-demand.jsonl");
    try (AuditSink a = AuditSink.jsonLines(audit);
        SearchDemandSink d = SearchDemandSink.jsonLines(demand)) {
      a.accept(Fixtures.event(AuditEventType.LOGOUT).build());
      d.accept(demand());
    }
    assertThatThrownBy(() -> SearchDemandSink.jsonLines(audit))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not hold search_demand records");
    assertThatThrownBy(() -> AuditSink.jsonLines(demand))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not hold audit records");
    assertThatThrownBy(() -> AuditSink.hashChained(demand)).isInstanceOf(IOException.class);
  }

  /**
   * Audit records name users, organisations, client addresses and what was looked at: a log file the sinks create is
   * readable by its owner only, whatever the process's umask. One that exists keeps what the operator gave it.
   */
  @Test
  void filesTheSinksCreate_areOwnerOnly_andAnExistingFileKeepsItsPermissions() throws IOException {
    assumeTrue(
        dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
        "POSIX file permissions are not supported by this file system");
    Path audit = dir.resolve("logs/audit.jsonl");
    Path chained = dir.resolve("logs/audit-chained.jsonl");
    Path demand = dir.resolve("logs/search-demand.jsonl");
    try (AuditSink a = AuditSink.jsonLines(audit);
        AuditSink c = AuditSink.hashChained(chained);
        SearchDemandSink d = SearchDemandSink.jsonLines(demand)) {
      a.accept(Fixtures.event(AuditEventType.LOGOUT).build());
      c.accept(Fixtures.event(AuditEventType.LOGOUT).build());
      d.accept(demand());
    }
    for (Path file : new Path[] {audit, chained, demand}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .as(file.getFileName().toString())
          .isEqualTo("rw-------");
    }

    Path shipped = dir.resolve("shipped.jsonl");
    Files.createFile(shipped);
    Files.setPosixFilePermissions(shipped, PosixFilePermissions.fromString("rw-r-----"));
    try (AuditSink a = AuditSink.jsonLines(shipped)) {
      a.accept(Fixtures.event(AuditEventType.LOGOUT).build());
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shipped)))
        .isEqualTo("rw-r-----");
  }

  @Test
  void fileOpenInOneSink_isRefusedToASecond() throws IOException {
    Path audit = dir.resolve("audit.jsonl");
    try (AuditSink first = AuditSink.jsonLines(audit)) {
      assertThatThrownBy(() -> AuditSink.jsonLines(audit))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("already open");
      assertThatThrownBy(() -> SearchDemandSink.jsonLines(audit)).isInstanceOf(IOException.class);
      first.accept(Fixtures.event(AuditEventType.LOGOUT).build());
    }
    try (AuditSink again = AuditSink.jsonLines(audit)) { // free again after close
      again.accept(Fixtures.event(AuditEventType.LOGOUT).build());
    }
    assertThat(Fixtures.lines(audit)).hasSize(2);
  }

  @Test
  void reopenedFile_isAppendedTo_notTruncated() throws IOException {
    Path demand = dir.resolve("d/search-demand.jsonl");
    for (int i = 0; i < 3; i++) {
      try (SearchDemandSink d = SearchDemandSink.jsonLines(demand)) {
        d.accept(demand());
      }
    }
    assertThat(Fixtures.parsed(demand))
        .hasSize(3)
        .allMatch(n -> n.get("terms").asText().equals("care homes"));
  }

  @Test
  void fileEndingInAPartialLine_isRefused() throws IOException {
    Path audit = dir.resolve("audit.jsonl");
    Files.writeString(audit, "{\"kind\":\"audit\",\"id\":\"x\"", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> AuditSink.jsonLines(audit))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("partial record");
  }

  @Test
  void flush_makesRecordsVisibleBeforeClose() throws IOException {
    Path audit = dir.resolve("audit.jsonl");
    try (AuditSink a = AuditSink.jsonLines(audit)) {
      a.accept(Fixtures.event(AuditEventType.LOGOUT).build());
      assertThat(Files.size(audit)).isZero(); // buffered
      a.flush();
      assertThat(Fixtures.parsed(audit)).hasSize(1);
    }
  }
}
