package dev.portcullis.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.TestVectors;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Known answers for the primitives Portcullis uses: HKDF-SHA256 ({@link Hkdf}, Bouncy Castle), AES-256-GCM (the JDK's
 * provider, as {@link Sealer} calls it) and HMAC-SHA256 (Bouncy Castle's, inside HKDF, and the JDK's). The Wycheproof
 * tests run when {@code portcullis.vectors.dir} is set.
 */
class KnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void hkdf_rfc5869_case1_basic() {
    byte[] okm = Hkdf.sha256(
        HEX.parseHex("0b".repeat(22)),
        HEX.parseHex("000102030405060708090a0b0c"),
        HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"),
        42);
    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void hkdf_rfc5869_case2_longInputs() {
    byte[] ikm = range(0x00, 80);
    byte[] salt = range(0x60, 80);
    byte[] info = range(0xb0, 80);
    assertThat(HEX.formatHex(Hkdf.sha256(ikm, salt, info, 82)))
        .isEqualTo(
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f"
                + "09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
  }

  @Test
  void hkdf_rfc5869_case3_noSaltNoInfo() {
    byte[] okm = Hkdf.sha256(HEX.parseHex("0b".repeat(22)), new byte[0], new byte[0], 42);
    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  void hkdf_refusesOutputBeyond255Blocks() {
    assertThatThrownBy(() -> Hkdf.sha256(new byte[32], null, new byte[0], 255 * 32 + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Hkdf.sha256(new byte[32], null, new byte[0], 255 * 32)).hasSize(255 * 32);
  }

  /** The GCM specification's test case 16 (256-bit key, 96-bit IV, with associated data). */
  @Test
  void aesGcm_specTestCase16() throws GeneralSecurityException {
    byte[] key = HEX.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
    byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    byte[] pt = HEX.parseHex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
            + "49a6b525b16aedf5aa0de657ba637b39");
    String expected =
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5"
            + "f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b";
    assertThat(HEX.formatHex(gcm(Cipher.ENCRYPT_MODE, key, iv, aad, pt))).isEqualTo(expected);
    assertThat(gcm(Cipher.DECRYPT_MODE, key, iv, aad, HEX.parseHex(expected))).isEqualTo(pt);
    byte[] tampered = HEX.parseHex(expected);
    tampered[tampered.length - 1] ^= 1;
    assertThatThrownBy(() -> gcm(Cipher.DECRYPT_MODE, key, iv, aad, tampered))
        .isInstanceOf(AEADBadTagException.class);
  }

  @Test
  void wycheproof_aesGcm_256BitKey_96BitIv() {
    JsonNode root = TestVectors.json("wycheproof/aes_gcm_test.json");
    int checked = 0;
    for (JsonNode group : root.get("testGroups")) {
      if (group.get("keySize").asInt() != 256
          || group.get("ivSize").asInt() != 96
          || group.get("tagSize").asInt() != 128) {
        continue;
      }
      for (JsonNode t : group.get("tests")) {
        byte[] key = TestVectors.hex(t.get("key"));
        byte[] iv = TestVectors.hex(t.get("iv"));
        byte[] aad = TestVectors.hex(t.get("aad"));
        byte[] msg = TestVectors.hex(t.get("msg"));
        byte[] ctTag = concat(TestVectors.hex(t.get("ct")), TestVectors.hex(t.get("tag")));
        String result = t.get("result").asText();
        String id = "tcId " + t.get("tcId").asInt();
        byte[] opened;
        try {
          opened = gcm(Cipher.DECRYPT_MODE, key, iv, aad, ctTag);
        } catch (GeneralSecurityException e) {
          opened = null;
        }
        if (result.equals("valid")) {
          assertThat(opened).as(id).isEqualTo(msg);
          assertThat(encryptOrNull(key, iv, aad, msg)).as(id).isEqualTo(ctTag);
        } else {
          assertThat(result).as(id).isEqualTo("invalid");
          assertThat(opened).as(id + " must not open").isNull();
        }
        checked++;
      }
    }
    assertThat(checked).as("cases run").isGreaterThan(50);
  }

  @Test
  void wycheproof_hkdfSha256() {
    JsonNode root = TestVectors.json("wycheproof/hkdf_sha256_test.json");
    int checked = 0;
    for (JsonNode group : root.get("testGroups")) {
      for (JsonNode t : group.get("tests")) {
        String id = "tcId " + t.get("tcId").asInt();
        byte[] ikm = TestVectors.hex(t.get("ikm"));
        byte[] salt = TestVectors.hex(t.get("salt"));
        byte[] info = TestVectors.hex(t.get("info"));
        int size = t.get("size").asInt();
        byte[] okm;
        try {
          okm = Hkdf.sha256(ikm, salt, info, size);
        } catch (IllegalArgumentException e) {
          okm = null;
        }
        if (t.get("result").asText().equals("valid")) {
          assertThat(okm).as(id).isEqualTo(TestVectors.hex(t.get("okm")));
        } else {
          assertThat(okm).as(id + " must be refused").isNull();
        }
        checked++;
      }
    }
    assertThat(checked).as("cases run").isGreaterThan(50);
  }

  @Test
  void wycheproof_hmacSha256_bouncyCastleAndJdk() throws GeneralSecurityException {
    JsonNode root = TestVectors.json("wycheproof/hmac_sha256_test.json");
    int checked = 0;
    for (JsonNode group : root.get("testGroups")) {
      int tagBytes = group.get("tagSize").asInt() / 8;
      for (JsonNode t : group.get("tests")) {
        String id = "tcId " + t.get("tcId").asInt();
        byte[] key = TestVectors.hex(t.get("key"));
        byte[] msg = TestVectors.hex(t.get("msg"));
        byte[] tag = TestVectors.hex(t.get("tag"));
        boolean valid = t.get("result").asText().equals("valid");

        HMac bc = new HMac(new SHA256Digest());
        bc.init(new KeyParameter(key));
        bc.update(msg, 0, msg.length);
        byte[] bcOut = new byte[32];
        bc.doFinal(bcOut, 0);

        Mac jdk = Mac.getInstance("HmacSHA256");
        jdk.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
        byte[] jdkOut = key.length == 0 ? null : jdk.doFinal(msg);

        assertThat(MessageDigest.isEqual(Arrays.copyOf(bcOut, tagBytes), tag))
            .as(id + " (Bouncy Castle)")
            .isEqualTo(valid);
        if (jdkOut != null) {
          assertThat(MessageDigest.isEqual(Arrays.copyOf(jdkOut, tagBytes), tag))
              .as(id + " (JDK)")
              .isEqualTo(valid);
        }
        checked++;
      }
    }
    assertThat(checked).as("cases run").isGreaterThan(50);
  }

  private static byte[] encryptOrNull(byte[] key, byte[] iv, byte[] aad, byte[] msg) {
    try {
      return gcm(Cipher.ENCRYPT_MODE, key, iv, aad, msg);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static byte[] gcm(int mode, byte[] key, byte[] iv, byte[] aad, byte[] input)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    c.updateAAD(aad);
    return c.doFinal(input);
  }

  private static byte[] range(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
