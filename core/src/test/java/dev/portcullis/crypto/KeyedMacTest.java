package dev.portcullis.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeyedMacTest {
  private static final byte[] DATA = "cookie-check-value".getBytes(StandardCharsets.US_ASCII);

  @Test
  void tag_verifies_andAnyChangeOfDataOrTagIsRefused() {
    KeyedMac mac = KeyedMac.create(TestKeys.single(1, 7), Purpose.LOGIN_FORM);
    String tag = mac.tag(DATA);

    assertThat(tag).hasSize(KeyedMac.TAG_LENGTH).matches("[A-Za-z0-9_-]+");
    assertThat(mac.verify(DATA, tag)).isTrue();
    assertThat(mac.tag(DATA)).as("deterministic").isEqualTo(tag);
    byte[] other = DATA.clone();
    other[0] ^= 1;
    assertThat(mac.verify(other, tag)).isFalse();
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      String changed = tag.substring(0, i) + (c == 'A' ? 'B' : 'A') + tag.substring(i + 1);
      assertThat(mac.verify(DATA, changed)).as("tag changed at %d", i).isFalse();
    }
  }

  @Test
  void malformedTags_areRefusedWithoutThrowing() {
    KeyedMac mac = KeyedMac.create(TestKeys.single(1, 7), Purpose.LOGIN_FORM);
    String tag = mac.tag(DATA);
    for (String bad : new String[] {
      null,
      "",
      tag.substring(1),
      tag + "A",
      tag.substring(1) + "=",
      "!".repeat(43),
      "A".repeat(4096)
    }) {
      assertThat(mac.verify(DATA, bad)).as(String.valueOf(bad)).isFalse();
    }
  }

  /** The last character of a 43-character tag carries two unused bits: each tag has one spelling only. */
  @Test
  void otherSpellingsOfATag_inItsUnusedBits_areRefused() {
    KeyedMac mac = KeyedMac.create(TestKeys.single(1, 7), Purpose.LOGIN_FORM);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < 16; i++) {
      byte[] data = ("form-" + i).getBytes(StandardCharsets.UTF_8);
      String tag = mac.tag(data);
      assertThat(mac.verify(data, tag)).isTrue();
      int last = alphabet.indexOf(tag.charAt(tag.length() - 1));
      assertThat(last & 0x03).as("the encoder leaves the unused bits zero").isZero();
      for (int unused = 1; unused < 4; unused++) {
        String other = tag.substring(0, tag.length() - 1) + alphabet.charAt(last | unused);
        assertThat(mac.verify(data, other)).as(other).isFalse();
      }
    }
  }

  @Test
  void purposesAndKeys_areSeparate() {
    KeyRing ring = TestKeys.single(1, 7);
    String tag = KeyedMac.create(ring, Purpose.LOGIN_FORM).tag(DATA);

    assertThat(KeyedMac.create(ring, new Purpose("other")).verify(DATA, tag)).isFalse();
    assertThat(KeyedMac.create(TestKeys.single(1, 8), Purpose.LOGIN_FORM).verify(DATA, tag))
        .isFalse();
  }

  @Test
  void rotation_oldTagsVerifyUntilTheirKeyIsRevoked() {
    KeyRing before = TestKeys.single(1, 7);
    String oldTag = KeyedMac.create(before, Purpose.LOGIN_FORM).tag(DATA);
    KeyRing rotated = before.withNewKey(2, TestKeys.key(8), Instant.EPOCH).promote(2);
    KeyedMac mac = KeyedMac.create(rotated, Purpose.LOGIN_FORM);

    assertThat(mac.verify(DATA, oldTag)).isTrue();
    assertThat(mac.tag(DATA)).as("new tags use the new active key").isNotEqualTo(oldTag);
    assertThat(KeyedMac.create(rotated.revoke(1), Purpose.LOGIN_FORM).verify(DATA, oldTag))
        .isFalse();
  }

  @Test
  void toString_namesThePurposeOnly() {
    assertThat(KeyedMac.create(TestKeys.single(1, 7), Purpose.LOGIN_FORM).toString())
        .isEqualTo("KeyedMac[login-form]");
  }
}
