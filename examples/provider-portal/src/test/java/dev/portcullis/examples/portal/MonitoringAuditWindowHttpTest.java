package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyRing;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit page over HTTPS on a long audit log: it reads and verifies the newest records from the checkpoint before
 * them, not the whole file, and names each kind of change to the records it shows or to the checkpoints.
 */
class MonitoringAuditWindowHttpTest {
  private static final Instant WRITTEN = Instant.parse("2026-01-05T10:00:00Z");
  private static final Pattern READ = Pattern.compile("([0-9]+) bytes read of the log's ([0-9]+)");

  @TempDir
  Path dataDir;

  private Path file() {
    return dataDir.resolve(Portal.AUDIT_FILE);
  }

  private Path checkpoints() {
    return dataDir.resolve(Portal.AUDIT_FILE + ".checkpoints");
  }

  /** Writes what months of a portal's use leave, through the sink the portal uses and with the portal's keys. */
  private void fill(int records, boolean withCheckpoints) throws IOException {
    KeyRing keys =
        DevelopmentKeys.load(dataDir, Map.of(), InstantSource.system(), new SecureRandom());
    try (AuditSink sink =
        withCheckpoints ? AuditSink.hashChained(file(), keys) : AuditSink.hashChained(file())) {
      for (int i = 1; i <= records; i++) {
        sink.accept(AuditEvent.builder(AuditEventType.of("report_view"))
            .id("evt-" + String.format(Locale.ROOT, "%010d", i))
            .time(WRITTEN)
            .actor(AuditEvent.Actor.of("u-filler", "org-filler"))
            .resource("/reports/r" + i)
            .build());
      }
    }
  }

  private String auditPage(RunningPortal portal, String query) throws Exception {
    PortalClient carol = portal.client();
    carol.loginAs("carol");
    return carol.get(Monitoring.AUDIT_PATH + query).body();
  }

  /** The bytes this process has read through read calls so far (Linux). */
  private static long bytesReadByThisProcess() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("rchar:")) {
        return Long.parseLong(line.substring("rchar:".length()).strip());
      }
    }
    throw new AssertionError("no rchar in /proc/self/io");
  }

  @Test
  void auditPage_onALongLog_readsTheNewestRecordsFromACheckpoint_notTheWholeFile()
      throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/self/io")), "counts reads through /proc/self/io");
    fill(30_000, true);
    long size = Files.size(file());
    assertThat(size).isGreaterThan(8_000_000);

    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient carol = portal.client();
      carol.loginAs("carol");
      carol.get(Monitoring.AUDIT_PATH); // classes loaded, the login's events written
      long before = bytesReadByThisProcess();
      HttpResponse<String> view = carol.get(Monitoring.AUDIT_PATH);
      long read = bytesReadByThisProcess() - before;

      assertThat(view.statusCode()).isEqualTo(200);
      // Everything this process read while serving the view (the log, its checkpoints, the
      // response on both ends): a small part of the log, which reading the whole file exceeds.
      assertThat(read).as("bytes read to serve the audit page").isLessThan(size / 8);
      String page = view.body();
      assertThat(page)
          .contains("Hash chain verified:</strong> the newest ")
          .contains("from the keyed checkpoint of record ")
          .contains(">/reports/r30000<");
      Matcher m = READ.matcher(page);
      assertThat(m.find()).isTrue();
      long reported = Long.parseLong(m.group(1));
      long reportedSize = Long.parseLong(m.group(2));
      assertThat(reportedSize).isGreaterThanOrEqualTo(size);
      assertThat(reported).isLessThan(size / 8).isLessThanOrEqualTo(read);
    }
  }

  @Test
  void alteredRecordAmongTheNewest_isNamed() throws Exception {
    fill(3_000, true);
    List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
    lines.set(2_989, lines.get(2_989).replace("/reports/r2990\"", "/reports/r2999\""));
    rewrite(file(), lines);

    try (RunningPortal portal = new RunningPortal(dataDir)) {
      assertThat(auditPage(portal, ""))
          .contains("Hash chain broken")
          .contains("The record on line 2990 fails the check: record altered (seq 2990)")
          .doesNotContain("Hash chain verified");
    }
  }

  @Test
  void removedRecordAmongTheNewest_isNamed() throws Exception {
    fill(3_000, true);

    // Removed while the portal runs: a log that does not follow its newest checkpoint stops the
    // start.
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      assertThat(portal.portal.flushAudit(java.time.Duration.ofSeconds(10))).isTrue();
      List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
      lines.remove(2_979);
      rewrite(file(), lines);
      assertThat(auditPage(portal, ""))
          .contains("Hash chain broken")
          .contains("The record on line 2980 fails the check: records missing or out of order:"
              + " expected seq 2980 here, found 2981")
          .doesNotContain("Hash chain verified");
    }
  }

  @Test
  void forgedCheckpoint_isNamed() throws Exception {
    fill(3_000, true);

    // Forged while the portal runs: a forged newest checkpoint stops the start.
    try (RunningPortal portal = new RunningPortal(dataDir)) {
      List<String> cps = Files.readAllLines(checkpoints(), StandardCharsets.UTF_8);
      String last = cps.get(cps.size() - 1);
      int hash = last.indexOf("\"hash\":\"") + 8;
      char c = last.charAt(hash);
      cps.set(
          cps.size() - 1,
          last.substring(0, hash) + (c == '0' ? '1' : '0') + last.substring(hash + 1));
      rewrite(checkpoints(), cps);
      assertThat(auditPage(portal, ""))
          .contains("Hash chain broken")
          .contains("checkpoints fail the check: the newest checkpoint (for record 3000) does not"
              + " verify: forged or altered")
          .doesNotContain("Hash chain verified");
    }
  }

  @Test
  void checkpointCutShort_isNamed() throws Exception {
    fill(3_000, true);
    List<String> cps = Files.readAllLines(checkpoints(), StandardCharsets.UTF_8);
    assertThat(cps).hasSize(4); // records 1, 1000, 2000 and 3000
    cps.set(2, cps.get(2).substring(0, cps.get(2).length() - 20));
    rewrite(checkpoints(), cps);

    try (RunningPortal portal = new RunningPortal(dataDir)) {
      assertThat(auditPage(portal, ""))
          .contains("Hash chain broken")
          .contains("checkpoints fail the check: the checkpoint before the one for record 3000 is"
              + " not a checkpoint line: altered or cut short")
          .doesNotContain("Hash chain verified");
    }
  }

  @Test
  void logWrittenWithoutCheckpoints_stopsTheStart_ratherThanBeCheckpointed() throws Exception {
    fill(3_000, false);
    assertThat(checkpoints()).doesNotExist();

    assertThatThrownBy(() -> new RunningPortal(dataDir).close())
        .hasStackTraceContaining(file() + " has 3000 records but no checkpoint file")
        .hasStackTraceContaining("written without a key ring");
    assertThat(checkpoints()).doesNotExist();
    assertThat(Files.readAllLines(file(), StandardCharsets.UTF_8)).hasSize(3_000);
  }

  @Test
  void fullCheck_onRequest_readsTheWholeLog_andFindsAChangeBeforeTheNewestRecords()
      throws Exception {
    fill(3_000, true);
    List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
    lines.set(9, lines.get(9).replace("/reports/r10\"", "/reports/r19\""));
    rewrite(file(), lines);

    try (RunningPortal portal = new RunningPortal(dataDir)) {
      PortalClient carol = portal.client();
      carol.loginAs("carol");
      assertThat(carol.get(Monitoring.AUDIT_PATH).body())
          .contains("Hash chain verified:</strong> the newest ")
          .contains("?check=full\">Check the whole log</a>");
      String full =
          carol.get(Monitoring.AUDIT_PATH + "?check=full&user=u-filler").body();
      assertThat(full)
          .contains("Hash chain broken")
          .contains("The record on line 10 fails the check: record altered (seq 10)")
          .contains("name=\"check\" value=\"full\"")
          .contains("check=full&amp;page=2");
      HttpResponse<String> wrong = carol.get(Monitoring.AUDIT_PATH + "?check=everything");
      assertThat(wrong.statusCode()).isEqualTo(400);
      assertThat(wrong.body()).contains("The check must be empty or");
    }
  }

  @Test
  void logRewrittenAsAConsistentChain_stopsTheStart_andTheFullCheckFindsItAtTheCheckpointAfter()
      throws Exception {
    fill(3_000, true);
    List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
    lines.set(499, lines.get(499).replace("/reports/r500\"", "/reports/r509\""));
    rechain(lines, 499);
    rewrite(file(), lines);
    byte[] checkpointsBefore = Files.readAllBytes(checkpoints());

    // While the portal runs, its sink chains the next record to the record it wrote, so a
    // consistent rewrite is one of a stopped portal's log, and the start refuses to go on from it.
    assertThatThrownBy(() -> new RunningPortal(dataDir).close())
        .hasStackTraceContaining(
            file() + " does not follow its newest checkpoint (record 3000 is not"
                + " the one its checkpoint vouches for");
    assertThat(Files.readAllBytes(checkpoints())).isEqualTo(checkpointsBefore);
    KeyRing keys =
        DevelopmentKeys.load(dataDir, Map.of(), InstantSource.system(), new SecureRandom());
    assertThat(dev.portcullis.audit.AuditChainVerifier.verify(file(), keys).describe())
        .isEqualTo("NOT INTACT: line 1000: record 1000 is not the one its checkpoint vouches for:"
            + " the records up to it were rewritten");
  }

  /** Recomputes prev and hash from line {@code from} on, as someone without the key could. */
  private static void rechain(List<String> lines, int from) throws Exception {
    String prev = tailHash(lines.get(from - 1));
    for (int i = from; i < lines.size(); i++) {
      String line = lines.get(i);
      String content =
          line.substring(0, line.indexOf(",\"prev\":\"")) + ",\"prev\":\"" + prev + "\"";
      String hash = HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256")
              .digest(content.getBytes(StandardCharsets.UTF_8)));
      lines.set(i, content + ",\"hash\":\"" + hash + "\"}");
      prev = hash;
    }
  }

  private static String tailHash(String line) {
    return line.substring(line.length() - 66, line.length() - 2);
  }

  private static void rewrite(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }
}
