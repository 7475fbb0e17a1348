package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.AuditChainRewrite;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit page on a live audit file that someone altered: it names the first broken record, or the checkpoints
 * removed to hide a rewrite.
 */
class MonitoringTamperTest {
  @Test
  void alteredRecord_inTheLiveAuditFile_isNamedOnTheAuditPage(@TempDir Path dataDir)
      throws Exception {
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient carol = carolSeesAnIntactLog(portal);

      // Rewrite the first successful record's outcome in place, same length, while the portal
      // runs.
      Path file = dataDir.resolve(Portal.AUDIT_FILE);
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      String success = "\"outcome\":\"success\"";
      long offset = 0;
      int line = 0;
      while (!lines.get(line).contains(success)) {
        offset += lines.get(line).getBytes(StandardCharsets.UTF_8).length + 1;
        line++;
      }
      String head = lines.get(line).substring(0, lines.get(line).indexOf(success));
      offset += head.getBytes(StandardCharsets.UTF_8).length + "\"outcome\":\"".length();
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.seek(offset);
        raf.write("failure".getBytes(StandardCharsets.US_ASCII));
      }

      String page = carol.get(Monitoring.AUDIT_PATH).body();
      assertThat(page)
          .contains("Hash chain broken")
          .contains("The record on line " + (line + 1) + " fails the check: record altered")
          .doesNotContain("Hash chain verified");
    }
  }

  @Test
  void rewrittenLiveAuditFile_withItsCheckpointFileDeleted_isAnAlarmOnTheAuditPage(
      @TempDir Path dataDir) throws Exception {
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient carol = carolSeesAnIntactLog(portal);

      // The first successful record made to read as a failure and the later records chained again,
      // as someone who can write the files but holds no key could; then the checkpoints that would
      // tell are deleted.
      Path file = dataDir.resolve(Portal.AUDIT_FILE);
      AuditChainRewrite.replace(file, "\"outcome\":\"success\"", "\"outcome\":\"failure\"");
      Files.delete(dataDir.resolve(Portal.AUDIT_FILE + ".checkpoints"));

      String page = carol.get(Monitoring.AUDIT_PATH).body();
      assertThat(page)
          .contains("Hash chain broken")
          .contains("The log's checkpoints fail the check: the log has ")
          .contains(" but no checkpoint file: its checkpoints were removed")
          .doesNotContain("Hash chain verified");
    }
  }

  @Test
  void overlongLineAppendedToTheCheckpointFile_isNamedOnTheAuditPage_withoutReadingItWhole(
      @TempDir Path dataDir) throws Exception {
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient carol = carolSeesAnIntactLog(portal);

      // 16 MB on one line: no checkpoint, and more than the page should hold or read.
      byte[] line = new byte[16 * 1024 * 1024 + 1];
      java.util.Arrays.fill(line, (byte) 'a');
      line[line.length - 1] = '\n';
      Files.write(
          dataDir.resolve(Portal.AUDIT_FILE + ".checkpoints"),
          line,
          java.nio.file.StandardOpenOption.APPEND);

      String page = carol.get(Monitoring.AUDIT_PATH).body();
      assertThat(page)
          .contains("Hash chain broken")
          .contains(
              "The log's checkpoints fail the check: the newest checkpoint is not a checkpoint"
                  + " line: altered or cut short")
          .doesNotContain("Hash chain verified")
          .doesNotContain("Exception");
      java.util.regex.Matcher read =
          java.util.regex.Pattern.compile("(\\d+) bytes read of the log's").matcher(page);
      assertThat(read.find()).as(page).isTrue();
      assertThat(Long.parseLong(read.group(1)))
          .as("read no further back than a long record")
          .isLessThan(1_000_000L);
    }
  }

  /** Carol logged in, after the audit page called the log intact and the log was flushed. */
  private static PortalClient carolSeesAnIntactLog(RunningPortal portal) throws Exception {
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    assertThat(carol.get(Monitoring.AUDIT_PATH).body()).contains("Hash chain verified:");
    assertThat(portal.portal.flushAudit(Duration.ofSeconds(10))).isTrue();
    return carol;
  }
}
