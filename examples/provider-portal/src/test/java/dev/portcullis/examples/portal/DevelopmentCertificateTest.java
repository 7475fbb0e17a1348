package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevelopmentCertificateTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final SecureRandom random = new SecureRandom();

  @TempDir
  Path dataDir;

  @Test
  void newCertificate_isSelfSignedForLocalhostAndLoopback_andValidNow() throws Exception {
    X509Certificate cert =
        DevelopmentCertificate.loadOrCreate(dataDir, clock, random).certificate();
    cert.verify(cert.getPublicKey());
    cert.checkValidity(java.util.Date.from(clock.instant()));
    assertThat(cert.getSubjectX500Principal()).isEqualTo(cert.getIssuerX500Principal());
    assertThat(cert.getSubjectAlternativeNames().stream()
            .map(n -> String.valueOf(n.get(1)))
            .toList())
        .containsExactlyInAnyOrder("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(dataDir.resolve(DevelopmentCertificate.CERTIFICATE_PEM))
        .content()
        .startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void laterStart_reusesTheCertificate() throws Exception {
    X509Certificate first =
        DevelopmentCertificate.loadOrCreate(dataDir, clock, random).certificate();
    clock.advance(Duration.ofDays(100));
    assertThat(DevelopmentCertificate.loadOrCreate(dataDir, clock, random).certificate())
        .isEqualTo(first);
  }

  @Test
  void certificateNearItsEnd_isReplaced() throws Exception {
    X509Certificate first =
        DevelopmentCertificate.loadOrCreate(dataDir, clock, random).certificate();
    clock.advance(DevelopmentCertificate.VALIDITY.minus(Duration.ofDays(3)));
    X509Certificate second =
        DevelopmentCertificate.loadOrCreate(dataDir, clock, random).certificate();
    assertThat(second).isNotEqualTo(first);
    second.checkValidity(java.util.Date.from(clock.instant()));
  }

  @Test
  void keyStoreThatCannotBeOpened_stopsTheStart_andIsKept() throws Exception {
    DevelopmentCertificate.loadOrCreate(dataDir, clock, random);
    Path password = dataDir.resolve(DevelopmentCertificate.PASSWORD_FILE);
    Files.writeString(password, "wrong");
    byte[] store = Files.readAllBytes(dataDir.resolve(DevelopmentCertificate.KEY_STORE));
    assertThatThrownBy(() -> DevelopmentCertificate.loadOrCreate(dataDir, clock, random))
        .hasMessageContaining("cannot open the development certificate")
        .hasMessageNotContaining("wrong");
    assertThat(Files.readAllBytes(dataDir.resolve(DevelopmentCertificate.KEY_STORE)))
        .isEqualTo(store);
  }

  @Test
  void twoCertificates_haveDifferentKeysAndSerials() throws Exception {
    X509Certificate a = DevelopmentCertificate.create(clock.instant(), random).certificate();
    X509Certificate b = DevelopmentCertificate.create(clock.instant(), random).certificate();
    assertThat(List.of(a.getSerialNumber(), a.getPublicKey()))
        .doesNotContainAnyElementsOf(List.of(b.getSerialNumber(), b.getPublicKey()));
  }
}
