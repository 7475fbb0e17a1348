package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CorrelationKeyTest {
  private static final String SESSION_ID = "q0C9xJ3mZ7yS2bVw8KfLrT5nPdHa1GjE4uYoXiWcBvN";

  @Test
  void sameSessionAndKey_giveTheSameReference() {
    CorrelationKey key = Fixtures.correlationKey();
    assertThat(key.sessionRef(SESSION_ID))
        .isEqualTo(Fixtures.correlationKey().sessionRef(SESSION_ID));
  }

  @Test
  void reference_is22Base64urlCharacters_andHoldsNoPartOfTheId() {
    String ref = Fixtures.correlationKey().sessionRef(SESSION_ID).value();
    assertThat(ref).matches("[A-Za-z0-9_-]{22}");
    assertThat(SESSION_ID).doesNotContain(ref.substring(0, 6));
  }

  @Test
  void knownAnswer_matchesHmacSha256OfPurposeAndValue() throws Exception {
    byte[] keyBytes = new byte[32];
    for (int i = 0; i < 32; i++) {
      keyBytes[i] = (byte) i;
    }
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(keyBytes, "HmacSHA256"));
    byte[] expected = Arrays.copyOf(
        mac.doFinal("session\0abc".getBytes(java.nio.charset.StandardCharsets.UTF_8)), 16);
    assertThat(CorrelationKey.of(keyBytes).sessionRef("abc").value())
        .isEqualTo(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(expected));
  }

  @Test
  void differentSession_differentKey_orDifferentPurpose_giveDifferentHashes() {
    CorrelationKey key = Fixtures.correlationKey();
    byte[] other = new byte[32];
    other[0] = 1;
    assertThat(key.sessionRef(SESSION_ID)).isNotEqualTo(key.sessionRef(SESSION_ID + "x"));
    assertThat(key.sessionRef(SESSION_ID))
        .isNotEqualTo(CorrelationKey.of(other).sessionRef(SESSION_ID));
    assertThat(key.hash("session", SESSION_ID))
        .isEqualTo(key.sessionRef(SESSION_ID).value());
    assertThat(key.hash("ticket", SESSION_ID))
        .isNotEqualTo(key.sessionRef(SESSION_ID).value());
  }

  @Test
  void keyOfWrongLengthOrOneRepeatedByte_isRefused() {
    assertThatThrownBy(() -> CorrelationKey.of(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CorrelationKey.of(new byte[32]))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] sevens = new byte[32];
    Arrays.fill(sevens, (byte) 7);
    assertThatThrownBy(() -> CorrelationKey.of(sevens))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keyArray_isCopied_soLaterChangesDoNotAffectIt() {
    byte[] bytes = new byte[32];
    bytes[5] = 9;
    CorrelationKey key = CorrelationKey.of(bytes);
    String before = key.sessionRef(SESSION_ID).value();
    bytes[6] = 1;
    assertThat(key.sessionRef(SESSION_ID).value()).isEqualTo(before);
  }

  @Test
  void emptyValueOrBadPurpose_isRefused() {
    CorrelationKey key = Fixtures.correlationKey();
    assertThatThrownBy(() -> key.sessionRef("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> key.hash("Session Id", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reference_passesTheEventBuilder_butTheRawIdDoesNot() {
    SessionRef ref = Fixtures.correlationKey().sessionRef(SESSION_ID);
    AuditEvent e = Fixtures.event(AuditEventType.SESSION_CREATED).session(ref).build();
    assertThat(e.toString()).contains(ref.value()).doesNotContain(SESSION_ID);
    assertThatThrownBy(
            () -> Fixtures.event(AuditEventType.SESSION_CREATED).reason("session " + SESSION_ID))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SESSION_ID);
  }
}
