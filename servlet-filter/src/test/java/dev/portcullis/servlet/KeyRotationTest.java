package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.servlet.testing.KeyRotationDrill;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys rotate without a restart: two nodes over one Caffeine session store and one in-memory revocation store (the
 * stores of one process) each watch the key file through the drill's add, promote and retire; and a reloading ring
 * given to {@link Portcullis#builder()} has its reloads audited.
 */
class KeyRotationTest {
  @TempDir
  Path dir;

  @Test
  @SuppressForbidden(reason = "the drill runs on the real clock")
  void addPromoteRetire_onTwoNodes_underLoad_logsNobodyOut_andRefusesTheRetiredKeyOnBoth()
      throws Exception {
    InstantSource clock = InstantSource.system();
    CaffeineSessionStore sessions =
        CaffeineSessionStore.builder(SessionConfig.defaults(), clock).build();
    RevocationStore revocations = RevocationStore.inMemory(clock);
    KeyRotationDrill.Report report = KeyRotationDrill.run(
        dir, node -> new KeyRotationDrill.NodeStores(sessions, revocations, () -> {}));
    System.out.println("key rotation on two nodes (Caffeine): " + report);

    assertThat(report.forcedLogouts()).isEmpty();
    assertThat(report.loginsPerPhase().values())
        .as("logins went on through every phase")
        .allMatch(n -> n > 0);
    assertThat(report.refusedAfter())
        .hasSize(2)
        .allMatch(
            d -> d.compareTo(Duration.ofSeconds(30)) < 0, "refused well within the drill's wait");
  }

  @Test
  void aReloadingRingGivenToTheEntryPoint_hasEachReloadAndRefusalAudited() throws Exception {
    SecureRandom random = new SecureRandom();
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    Path file = dir.resolve("keys.txt");
    KeyRingSources.writeFile(ring, file);
    RecordingAuditSink audit = new RecordingAuditSink();
    try (ReloadingKeyRing watched = KeyRingSources.watchFile(file, Duration.ofHours(1))) {
      Portcullis portcullis = Portcullis.builder()
          .keyRing(watched)
          .users(new InMemoryUserDirectory(PasswordHasher.forTests()))
          .termsVersion("t1")
          .auditSink(audit)
          .build();
      KeyRingSources.writeFile(
          ring.withNewKey(2, KeyMaterial.generate(random), Instant.EPOCH), file);
      assertThat(watched.reload()).isTrue();
      Files.writeString(file, "key 00000003 ACTIVE");
      assertThat(watched.reload()).isFalse();
      portcullis.close();
      KeyRingSources.writeFile(ring, file);
      assertThat(watched.reload()).as("still reloads after close").isTrue();

      assertThat(audit.events())
          .filteredOn(e -> e.type().equals(AuditEventType.KEY_RING_RELOADED))
          .as("a closed Portcullis records nothing more")
          .hasSize(2);
      AuditEvent reloaded = audit.assertOnce(
          AuditEventType.KEY_RING_RELOADED, e -> e.outcome() == AuditEvent.Outcome.SUCCESS);
      assertThat(reloaded.reason())
          .hasValueSatisfying(
              r -> assertThat(r).contains("00000001 ACTIVE, 00000002 DECRYPT_ONLY"));
      AuditEvent refused = audit.assertOnce(
          AuditEventType.KEY_RING_RELOADED, e -> e.outcome() == AuditEvent.Outcome.FAILURE);
      assertThat(refused.reason())
          .hasValueSatisfying(r -> assertThat(r).contains("key file " + file));
    }
  }
}
