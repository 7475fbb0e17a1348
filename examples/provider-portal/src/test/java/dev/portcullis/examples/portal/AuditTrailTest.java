package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit page's reading of the hash-chained file: records, filters and the chain verdict. */
class AuditTrailTest {
  private static final KeyRing KEYS = KeyRing.builder()
      .add(
          1,
          KeyStatus.ACTIVE,
          Instant.parse("2026-01-01T00:00:00Z"),
          KeyMaterial.generate(new SecureRandom()))
      .build();

  /**
   * Writes three events through the real hash-chained sink, with checkpoints under the key ring as the portal's: alice
   * on day one, bob and alice on day two.
   */
  private static Path writeLog(Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    MutableClock clock = MutableClock.startingAt2026();
    try (AuditLog log = AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(AuditSink.hashChained(file, KEYS))
        .build()) {
      log.emit(log.event(AuditEventType.AUTHN_LOGIN_SUCCESS)
          .actor(AuditEvent.Actor.of("u-1001", "riverside"))
          .build());
      clock.advance(Duration.ofDays(1));
      log.emit(log.event(AuditEventType.of("report_view"))
          .actor(AuditEvent.Actor.of("u-1002", "hillview"))
          .action("report_view")
          .resource("201")
          .build());
      log.emit(log.event(AuditEventType.of("report_view"))
          .actor(AuditEvent.Actor.of("u-1001", "riverside"))
          .action("report_view")
          .resource("<b>101</b>")
          .failure("denied")
          .build());
    }
    return file;
  }

  @Test
  void intactLog_isVerified_andEveryRecordRead(@TempDir Path dir) throws Exception {
    AuditTrail.Snapshot s = AuditTrail.read(writeLog(dir), KEYS, dir);
    assertThat(s.chain().intact()).isTrue();
    assertThat(s.chain().records()).isEqualTo(3);
    assertThat(s.unreadableLines()).isZero();
    assertThat(s.entries())
        .extracting(AuditTrail.Entry::user, AuditTrail.Entry::type, AuditTrail.Entry::resource)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("u-1001", "authn_login_success", ""),
            org.assertj.core.groups.Tuple.tuple("u-1002", "report_view", "201"),
            org.assertj.core.groups.Tuple.tuple("u-1001", "report_view", "<b>101</b>"));
    assertThat(s.entries().get(2).outcome()).isEqualTo("failure");
    assertThat(s.entries().get(2).reason()).isEqualTo("denied");
    // The verifier's private copy is gone; the writer's lock files stay beside the log.
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "audit.jsonl",
              "audit.jsonl.lock",
              "audit.jsonl.checkpoints",
              "audit.jsonl.checkpoints.lock");
    }
  }

  @Test
  void filter_matchesUserTypeAndDays(@TempDir Path dir) throws Exception {
    List<AuditTrail.Entry> all = AuditTrail.read(writeLog(dir), KEYS, dir).entries();
    LocalDate day1 = LocalDate.parse("2026-01-01");
    LocalDate day2 = LocalDate.parse("2026-01-02");
    assertThat(all.stream().filter(new AuditTrail.Filter("u-1001", "", null, null)::matches))
        .extracting(AuditTrail.Entry::line)
        .containsExactly(1L, 3L);
    assertThat(all.stream()
            .filter(new AuditTrail.Filter("u-1001", "report_view", null, null)::matches))
        .extracting(AuditTrail.Entry::line)
        .containsExactly(3L);
    assertThat(all.stream().filter(new AuditTrail.Filter("", "", day2, day2)::matches))
        .extracting(AuditTrail.Entry::line)
        .containsExactly(2L, 3L);
    assertThat(all.stream().filter(new AuditTrail.Filter("", "", null, day1)::matches))
        .extracting(AuditTrail.Entry::line)
        .containsExactly(1L);
    assertThat(all.stream().filter(new AuditTrail.Filter("u-100", "", null, null)::matches))
        .isEmpty();
  }

  @Test
  void alteredRecord_isNamed(@TempDir Path dir) throws Exception {
    Path file = writeLog(dir);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Files.writeString(file, text.replace("\"resource\":\"201\"", "\"resource\":\"202\""));
    AuditTrail.Snapshot s = AuditTrail.read(file, KEYS, dir);
    assertThat(s.chain().intact()).isFalse();
    assertThat(s.chain().firstBadLine()).isEqualTo(2);
    assertThat(s.chain().problem()).contains("altered");
  }

  @Test
  void recordBeingWritten_isLeftOut_andTheChainStillVerifies(@TempDir Path dir) throws Exception {
    Path file = writeLog(dir);
    Files.writeString(
        file,
        "{\"kind\":\"audit\",\"id\":\"half",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    AuditTrail.Snapshot s = AuditTrail.read(file, KEYS, dir);
    assertThat(s.chain().intact()).isTrue();
    assertThat(s.entries()).hasSize(3);
  }
}
