package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditChainVerifier;
import dev.portcullis.crypto.InvalidKeyRingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data folder: development keys and certificate made on first start, reused later, never silently replaced; an
 * audit file left torn by a killed portal is repaired, visibly, at the next start.
 */
class PortalStartTest {
  @TempDir
  Path dataDir;

  @Test
  void firstStart_createsTheDevelopmentKeysAndCertificate_andLaterStartsReuseThem()
      throws Exception {
    try (RunningPortal first = new RunningPortal(dataDir)) {
      assertThat(first.client().get("/login").statusCode()).isEqualTo(200);
    }
    Path keys = dataDir.resolve(DevelopmentKeys.FILE_NAME);
    Path store = dataDir.resolve(DevelopmentCertificate.KEY_STORE);
    assertThat(keys).exists();
    assertThat(store).exists();
    assertThat(dataDir.resolve(Portal.AUDIT_FILE)).exists();
    assertThat(dataDir.resolve(Portal.SEARCH_DEMAND_FILE)).exists();
    assertThat(Files.getPosixFilePermissions(keys))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.getPosixFilePermissions(store))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    byte[] keyFile = Files.readAllBytes(keys);
    byte[] storeFile = Files.readAllBytes(store);

    try (RunningPortal second = new RunningPortal(dataDir)) {
      assertThat(second.client().get("/login").statusCode()).isEqualTo(200);
    }
    assertThat(Files.readAllBytes(keys)).isEqualTo(keyFile);
    assertThat(Files.readAllBytes(store)).isEqualTo(storeFile);
  }

  /**
   * Regression: the data folder, which holds the key ring and the audit log, took its permissions from the umask (under
   * {@code umask 000} any account could put its own key file there). A new one is for its owner only.
   */
  @Test
  void firstStart_inANewDataFolder_makesItAndItsParentsForTheOwnerOnly() throws Exception {
    Path fresh = dataDir.resolve("var").resolve("portal-data");

    try (RunningPortal portal = new RunningPortal(fresh)) {
      assertThat(portal.client().get("/login").statusCode()).isEqualTo(200);
    }

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void unreadableKeyFile_stopsTheStart_andIsLeftAsItWas() throws Exception {
    Path keys = dataDir.resolve(DevelopmentKeys.FILE_NAME);
    Files.writeString(keys, "not a key ring\n");
    assertThatThrownBy(() -> new RunningPortal(dataDir))
        .isInstanceOf(InvalidKeyRingException.class);
    assertThat(Files.readString(keys)).isEqualTo("not a key ring\n");
  }

  @Test
  void keysInTheEnvironment_winOverTheDevelopmentKeyFile() throws Exception {
    String line = Files.readAllLines(makeKeyFile()).stream()
        .filter(l -> l.startsWith("key "))
        .findFirst()
        .orElseThrow();
    Path fresh = dataDir.resolve("fresh");
    try (Portal portal = Portal.start(
        new PortalOptions(0, 0, fresh),
        Map.of("PORTCULLIS_KEY_RING", line),
        InstantSource.system(),
        new SecureRandom())) {
      assertThat(portal.httpsPort()).isPositive();
    }
    assertThat(fresh.resolve(DevelopmentKeys.FILE_NAME)).doesNotExist();
  }

  @Test
  void secondPortalOnTheSameDataFolder_isRefused() throws Exception {
    try (RunningPortal first = new RunningPortal(dataDir)) {
      // The audit file is locked by its writer: two portals must not interleave one hash chain.
      assertThatThrownBy(() -> new RunningPortal(dataDir))
          .hasMessageContaining("already open for writing");
      assertThat(first.client().get("/login").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void
      portalKilledWhileWritingAnAuditRecord_startsAgain_cutsTheTornRecordVisibly_andTheChainVerifies()
          throws Exception {
    try (RunningPortal first = new RunningPortal(dataDir)) {
      first.client().loginAs("alice");
    }
    Path audit = dataDir.resolve(Portal.AUDIT_FILE);
    List<String> lines = Files.readAllLines(audit, StandardCharsets.UTF_8);
    // What a kill 90 bytes into the next record leaves.
    Files.write(
        audit,
        lines.get(lines.size() - 1).substring(0, 90).getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    assertThat(AuditChainVerifier.verify(audit).intact()).isFalse();

    try (RunningPortal second = new RunningPortal(dataDir)) {
      PortalClient alice = second.client();
      alice.loginAs("alice");
      assertThat(alice.get("/reports/101").statusCode()).isEqualTo(200);
    }
    AuditChainVerifier.Result verified = AuditChainVerifier.verify(audit);
    assertThat(verified.intact()).as(verified.describe()).isTrue();
    assertThat(verified.tornRecordsCut()).isEqualTo(1);
    assertThat(Files.readAllLines(audit, StandardCharsets.UTF_8).get(lines.size()))
        .contains("\"type\":\"audit_record_torn\"");
    assertThat(dataDir.resolve(Portal.AUDIT_FILE + ".torn")).exists();
  }

  private Path makeKeyFile() throws Exception {
    Path other = dataDir.resolve("other");
    Files.createDirectories(other);
    DevelopmentKeys.load(other, Map.of(), InstantSource.system(), new SecureRandom());
    return other.resolve(DevelopmentKeys.FILE_NAME);
  }
}
