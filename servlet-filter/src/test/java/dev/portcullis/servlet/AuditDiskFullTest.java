package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.FakeDisk;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit file's disk fills up under a running portal (found by an attack on the example portal: every report view
 * answered 200 while nothing was written, and the file was left with a torn record that read as tampering). Over real
 * HTTP, with the hash-chained sink on a {@link FakeDisk}: audited actions are refused with 503 while the sink can't
 * write, logins and other pages go on, and after the space comes back the portal works again without a restart and the
 * file verifies, with every accepted event in it exactly once.
 */
class AuditDiskFullTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static boolean reportView(AuditEvent e, String id) {
    return e.type().name().equals("report_view") && e.resource().orElse("").equals(id);
  }

  @Test
  void fullDisk_auditedActionsAre503_loginsAndPagesGoOn_andAfterRecoveryEveryEventIsInTheChainOnce()
      throws Exception {
    FakeDisk disk = new FakeDisk();
    Path file = dir.resolve("audit.jsonl");
    LoginPortal portal = new LoginPortal(disk.hashChained(file));
    try {
      Browser alice = portal.browser();
      assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(alice.get("/reports/riverside/1").statusCode()).isEqualTo(200);
      assertThat(portal.audit.flush(Duration.ofSeconds(10))).isTrue();

      disk.fill(120); // less than one record: the next write tears and fails
      // This view's event is the first write to meet the full disk: the view itself had already
      // been allowed.
      assertThat(alice.get("/reports/riverside/2").statusCode()).isEqualTo(200);
      assertThat(portal.audit.flush(Duration.ofSeconds(10)))
          .as("the failing sink is noticed")
          .isFalse();
      assertThat(portal.audit.health().healthy()).isFalse();

      for (int i = 0; i < 20; i++) {
        HttpResponse<String> refused = alice.get("/reports/riverside/" + (100 + i));
        assertThat(refused.statusCode())
            .as("audited action while the audit log can't write")
            .isEqualTo(503);
        assertThat(refused.body())
            .doesNotContain("report")
            .doesNotContain("audit")
            .doesNotContain("IOException");
      }
      assertThat(alice.get("/reports/hillview/7").statusCode())
          .as("refused before the application")
          .isEqualTo(503);
      assertThat(alice.whoami()).as("unaudited pages go on").isEqualTo("u-alice");
      assertThat(alice.get("/search?q=day+care").statusCode()).isEqualTo(200);
      Browser bob = portal.browser();
      assertThat(bob.login("bob", "bob-pw", false).statusCode())
          .as("logins go on")
          .isEqualTo(303);
      assertThat(bob.whoami()).isEqualTo("u-bob");
      assertThat(bob.logout().statusCode()).isEqualTo(303);
      // Whatever was written so far is whole records only: no torn line that reads as tampering.
      AuditChainVerifier.Result during = AuditChainVerifier.verify(file);
      assertThat(during.intact()).as(during.describe()).isTrue();
      assertThat(disk.refusedWrites()).isPositive();

      disk.free();
      assertThat(portal.audit.flush(Duration.ofSeconds(10)))
          .as("caught up without a restart")
          .isTrue();
      assertThat(portal.audit.health().healthy()).isTrue();
      assertThat(alice.get("/reports/riverside/3").statusCode()).isEqualTo(200);
    } finally {
      portal.close();
    }

    AuditChainVerifier.Result verified = AuditChainVerifier.verify(file);
    assertThat(verified.intact()).as(verified.describe()).isTrue();
    List<String> written = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      JsonNode record = JSON.readTree(line);
      written.add(record.get("id").asText());
    }
    // The recording sink beside the file got every accepted event at once, in order: the file has
    // the same ones.
    List<AuditEvent> accepted = portal.sink.events();
    assertThat(written)
        .doesNotHaveDuplicates()
        .containsExactlyElementsOf(accepted.stream().map(AuditEvent::id).toList());
    portal.sink.assertOnce(
        AuditEventType.of("report_view"),
        e -> reportView(e, "2") && e.outcome() == AuditEvent.Outcome.SUCCESS);
    portal.sink.assertOnce(
        AuditEventType.of("report_view"),
        e -> reportView(e, "3") && e.outcome() == AuditEvent.Outcome.SUCCESS);
    assertThat(accepted)
        .as("each refusal is recorded, as a failure")
        .filteredOn(e -> e.type().name().equals("report_view")
            && e.reason().orElse("").equals("audit log unavailable"))
        .hasSize(21);
    portal.sink.assertOnce(
        AuditEventType.AUTHN_LOGIN_SUCCESS,
        e -> e.actor().orElseThrow().userHandle().equals("u-bob"));
    portal.sink.assertOnce(AuditEventType.LOGOUT);
  }
}
