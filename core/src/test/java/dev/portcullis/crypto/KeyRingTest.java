package dev.portcullis.crypto;

import static dev.portcullis.crypto.TestKeys.CREATED;
import static dev.portcullis.crypto.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyRingTest {

  @Test
  void build_refusesEmptyRing() {
    assertThatThrownBy(() -> KeyRing.builder().build())
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void build_refusesDuplicateIds() {
    assertThatThrownBy(() -> KeyRing.builder()
            .add(7, KeyStatus.ACTIVE, CREATED, key(1))
            .add(7, KeyStatus.DECRYPT_ONLY, CREATED, key(2))
            .build())
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("00000007 appears twice");
  }

  @Test
  void build_refusesZeroActiveKeys() {
    assertThatThrownBy(() ->
            KeyRing.builder().add(1, KeyStatus.DECRYPT_ONLY, CREATED, key(1)).build())
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("exactly one ACTIVE key, found 0");
  }

  @Test
  void build_refusesTwoActiveKeys() {
    assertThatThrownBy(() -> KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, CREATED, key(1))
            .add(2, KeyStatus.ACTIVE, CREATED, key(2))
            .build())
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("found 2");
  }

  @Test
  void keysUnder32Bytes_areRefused_withoutShowingTheKey() {
    byte[] shortKey = new byte[31];
    java.util.Arrays.fill(shortKey, (byte) 0x5a);
    assertThatThrownBy(() -> KeyMaterial.copyOf(shortKey))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("31 bytes")
        .hasMessageNotContaining(HexFormat.of().formatHex(shortKey))
        .hasMessageNotContaining(Base64.getEncoder().encodeToString(shortKey));
  }

  @Test
  void sameSecretUnderTwoIds_isRefused() {
    assertThatThrownBy(() -> KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, CREATED, key(9))
            .add(2, KeyStatus.DECRYPT_ONLY, CREATED, key(9))
            .build())
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("same secret");
  }

  @Test
  void toString_showsIdsAndStatusesButNoSecret() {
    KeyRing ring = KeyRing.builder()
        .add(0x0a0b0c0d, KeyStatus.ACTIVE, CREATED, key(0x41))
        .add(2, KeyStatus.DECRYPT_ONLY, CREATED, key(0x42))
        .build();
    assertThat(ring.toString())
        .contains("0a0b0c0d ACTIVE", "00000002 DECRYPT_ONLY")
        .doesNotContain("AAAA", "QUFB", "4141");
    assertThat(key(0x41).toString()).isEqualTo("KeyMaterial[32 bytes, redacted]");
  }

  @Test
  void keyMaterial_equalsByContent_andHashDoesNotDependOnContent() {
    assertThat(key(1)).isEqualTo(key(1)).isNotEqualTo(key(2));
    assertThat(key(1).hashCode()).isEqualTo(key(2).hashCode());
  }

  @Test
  void keyMaterial_copiesInAndOut() {
    byte[] raw = new byte[32];
    KeyMaterial m = KeyMaterial.copyOf(raw);
    raw[0] = 1;
    byte[] out = m.toByteArray(SecretAccess.insecure());
    assertThat(out[0]).isZero();
    out[1] = 1;
    assertThat(m.toByteArray(SecretAccess.insecure())[1]).isZero();
  }

  @Test
  void rotation_addsDecryptOnly_thenPromotesAndDemotesPrevious() {
    KeyRing ring = TestKeys.single(1, 1).withNewKey(2, key(2), CREATED.plusSeconds(60));
    assertThat(ring.activeKey().id()).isEqualTo(1);
    assertThat(ring.keys())
        .extracting(KeyInfo::status)
        .containsExactly(KeyStatus.ACTIVE, KeyStatus.DECRYPT_ONLY);

    KeyRing promoted = ring.promote(2);
    assertThat(promoted.activeKey().id()).isEqualTo(2);
    assertThat(promoted.keys())
        .extracting(KeyInfo::status)
        .containsExactly(KeyStatus.DECRYPT_ONLY, KeyStatus.ACTIVE);
    assertThat(ring.activeKey().id()).as("rings are immutable").isEqualTo(1);
  }

  @Test
  void revoke_refusesTheActiveKey_andRevokedKeysCannotBePromoted() {
    KeyRing ring = TestKeys.single(1, 1).withNewKey(2, key(2), CREATED);
    assertThatThrownBy(() -> ring.revoke(1))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("active");
    KeyRing revoked = ring.revoke(2);
    assertThat(revoked.keys().get(1).status()).isEqualTo(KeyStatus.REVOKED);
    assertThatThrownBy(() -> revoked.promote(2))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("revoked");
    assertThatThrownBy(() -> ring.promote(99))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("00000063");
  }

  @Test
  void keysOlderThan_reportsOnlyUnrevokedKeysPastTheMaximumAge() {
    KeyRing ring = KeyRing.builder()
        .add(1, KeyStatus.DECRYPT_ONLY, CREATED, key(1))
        .add(2, KeyStatus.ACTIVE, CREATED.plus(Duration.ofDays(60)), key(2))
        .add(3, KeyStatus.REVOKED, CREATED, key(3))
        .build();
    var now = CREATED.plus(Duration.ofDays(91));
    assertThat(ring.keysOlderThan(KeyRing.DEFAULT_MAX_KEY_AGE, now))
        .extracting(KeyInfo::id)
        .containsExactly(1);
    assertThat(ring.keysOlderThan(Duration.ofDays(10), now))
        .extracting(KeyInfo::id)
        .containsExactly(1, 2);
    assertThat(ring.keysOlderThan(KeyRing.DEFAULT_MAX_KEY_AGE, CREATED.plus(Duration.ofDays(90))))
        .isEmpty();
  }
}
