package dev.portcullis.crypto;

import static dev.portcullis.crypto.TestKeys.CREATED;
import static dev.portcullis.crypto.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SealerTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final KeyRing ring = TestKeys.single(0x01020304, 1);
  private final Sealer sealer = Sealer.create(ring, Purpose.AUTH_TICKET, RANDOM);

  static Opened.Failed failed(Opened o) {
    assertThat(o).isInstanceOf(Opened.Failed.class);
    return (Opened.Failed) o;
  }

  static byte[] opened(Opened o) {
    assertThat(o).isInstanceOf(Opened.Ok.class);
    return ((Opened.Ok) o).plaintext();
  }

  @Test
  void sealedValue_opensToThePlaintext_forEveryLength() {
    for (int n = 0; n <= 1200; n += 7) {
      byte[] pt = new byte[n];
      RANDOM.nextBytes(pt);
      String sealed = sealer.seal(pt, "cookie");
      assertThat(sealed).matches("[A-Za-z0-9_-]+");
      assertThat(opened(sealer.open(sealed, "cookie"))).isEqualTo(pt);
    }
  }

  @Test
  void openedValue_decodesToThePlaintext_andPlaintextStaysACopy() {
    byte[] pt = "ticket bytes".getBytes(StandardCharsets.UTF_8);
    Opened.Ok ok = (Opened.Ok) sealer.open(sealer.seal(pt, "cookie"), "cookie");
    String decoded = ok.decode(bytes -> new String(bytes, StandardCharsets.UTF_8));
    assertThat(decoded).isEqualTo("ticket bytes");
    byte[] copy = ok.plaintext();
    copy[0] = 'X';
    assertThat(ok.plaintext()).isEqualTo(pt);
    byte[] handed = ok.decode(bytes -> bytes.clone());
    assertThat(handed).isEqualTo(pt);
  }

  @Test
  void sealingTwice_givesDifferentText() {
    byte[] pt = "same".getBytes(StandardCharsets.UTF_8);
    assertThat(sealer.seal(pt, "c")).isNotEqualTo(sealer.seal(pt, "c"));
  }

  /** The layout and crypto of the format, rebuilt here from the JDK and the RFC 5869 derivation alone. */
  @Test
  void format_isVersionKeyIdNonceCiphertextTag_underAnHkdfSubkey() throws Exception {
    byte[] nonce = new byte[12];
    for (int i = 0; i < 12; i++) {
      nonce[i] = (byte) (0xa0 + i);
    }
    SecureRandom fixed = new SecureRandom() {
      @Override
      public void nextBytes(byte[] bytes) {
        System.arraycopy(nonce, 0, bytes, 0, bytes.length);
      }
    };
    byte[] pt = "ticket bytes".getBytes(StandardCharsets.UTF_8);
    String sealed = Sealer.create(ring, Purpose.AUTH_TICKET, fixed).seal(pt, "__Host-auth");

    byte[] subkey = Hkdf.sha256(
        key(1).toByteArray(SecretAccess.insecure()),
        null,
        "portcullis/auth-ticket".getBytes(StandardCharsets.US_ASCII),
        32);
    byte[] purpose = "auth-ticket".getBytes(StandardCharsets.US_ASCII);
    byte[] context = "__Host-auth".getBytes(StandardCharsets.US_ASCII);
    byte[] aad = ByteBuffer.allocate(1 + 2 + purpose.length + 2 + context.length)
        .put((byte) 1)
        .putShort((short) purpose.length)
        .put(purpose)
        .putShort((short) context.length)
        .put(context)
        .array();
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(subkey, "AES"), new GCMParameterSpec(128, nonce));
    c.updateAAD(aad);
    byte[] ctTag = c.doFinal(pt);
    byte[] expected = ByteBuffer.allocate(1 + 4 + 12 + ctTag.length)
        .put((byte) 1)
        .putInt(0x01020304)
        .put(nonce)
        .put(ctTag)
        .array();

    assertThat(sealed).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(expected));
  }

  @Test
  void valueSealedForOnePurpose_neverOpensForAnother() {
    String sealed = sealer.seal(new byte[10], "cookie");
    Sealer sso = Sealer.create(ring, Purpose.SSO_UPGRADE, RANDOM);
    assertThat(failed(sso.open(sealed, "cookie")).reason())
        .isEqualTo(Opened.Reason.AUTHENTICATION_FAILED);
    assertThat(failed(Sealer.create(ring, new Purpose("other"), RANDOM).open(sealed, "cookie"))
            .reason())
        .isEqualTo(Opened.Reason.AUTHENTICATION_FAILED);
  }

  @Test
  void valueSealedForOneCookieName_neverOpensUnderAnother() {
    String sealed = sealer.seal(new byte[10], "validPSuser");
    assertThat(failed(sealer.open(sealed, "user_name")).reason())
        .isEqualTo(Opened.Reason.AUTHENTICATION_FAILED);
    assertThat(failed(sealer.open(sealed, "")).reason())
        .isEqualTo(Opened.Reason.AUTHENTICATION_FAILED);
    assertThat(opened(sealer.open(sealed, "validPSuser"))).hasSize(10);
  }

  @Test
  void anotherRingWithTheSameKeyId_cannotOpen() {
    String sealed = sealer.seal(new byte[10], "c");
    Sealer other = Sealer.create(TestKeys.single(0x01020304, 2), Purpose.AUTH_TICKET, RANDOM);
    assertThat(failed(other.open(sealed, "c")).reason())
        .isEqualTo(Opened.Reason.AUTHENTICATION_FAILED);
  }

  @Test
  void unknownKeyId_isReportedAsSuch() {
    String sealed = sealer.seal(new byte[10], "c");
    Sealer other = Sealer.create(TestKeys.single(99, 1), Purpose.AUTH_TICKET, RANDOM);
    assertThat(failed(other.open(sealed, "c")).reason()).isEqualTo(Opened.Reason.UNKNOWN_KEY);
  }

  @Test
  void oversizedInput_isRefusedBeforeDecoding() {
    String huge = "A".repeat(Sealer.MAX_SEALED_LENGTH + 1);
    assertThat(failed(sealer.open(huge, "c")).reason()).isEqualTo(Opened.Reason.OVERSIZED);
    // At the limit the text is decoded: all-'A' decodes to version byte 0.
    assertThat(failed(sealer.open("A".repeat(Sealer.MAX_SEALED_LENGTH), "c")).reason())
        .isEqualTo(Opened.Reason.UNSUPPORTED_VERSION);
  }

  @Test
  void nonCanonicalOrForeignText_isMalformed() {
    String sealed = sealer.seal(new byte[10], "c");
    List<String> bad = new ArrayList<>(List.of(
        "",
        "A",
        "AAAA",
        sealed + "=",
        sealed.replace('-', '+').replace('_', '/') + "+/",
        sealed + " ",
        " " + sealed,
        sealed.substring(0, 10) + "\u00e9" + sealed.substring(11),
        sealed + "\n",
        // A character whose low byte is 'A' must not pass as 'A'; padding inside the text is not
        // base64url either.
        sealed.substring(0, 10) + "\u0141" + sealed.substring(11),
        sealed.substring(0, 8) + "AA==" + sealed.substring(12)));
    // Flip the unused low bits of the last character: decodes to the same bytes, so it must be
    // refused.
    int rem = sealed.length() % 4;
    if (rem != 0) {
      char last = sealed.charAt(sealed.length() - 1);
      String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      int v = alphabet.indexOf(last) | 1;
      bad.add(sealed.substring(0, sealed.length() - 1) + alphabet.charAt(v));
    }
    for (String s : bad) {
      assertThat(sealer.open(s, "c")).as("'%s'", s).isInstanceOf(Opened.Failed.class);
    }
    assertThat(failed(sealer.open(null, "c")).reason()).isEqualTo(Opened.Reason.MALFORMED);
  }

  @Test
  void changedVersionByte_isUnsupported() {
    byte[] raw = Base64.getUrlDecoder().decode(sealer.seal(new byte[10], "c"));
    raw[0] = 2;
    String text = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    assertThat(failed(sealer.open(text, "c")).reason())
        .isEqualTo(Opened.Reason.UNSUPPORTED_VERSION);
  }

  @Test
  void threeRotations_keepOldValuesOpeningUntilTheirKeyIsRevoked() {
    KeyRing r = TestKeys.single(1, 1);
    List<String> sealedUnder = new ArrayList<>();
    sealedUnder.add(Sealer.create(r, Purpose.AUTH_TICKET, RANDOM).seal(new byte[] {1}, "c"));
    for (int k = 2; k <= 4; k++) {
      r = r.withNewKey(k, key(k), CREATED.plusSeconds(k));
      // Phase one: the new key opens nothing yet sealed, but every node can already open what it
      // will seal.
      r = r.promote(k);
      sealedUnder.add(
          Sealer.create(r, Purpose.AUTH_TICKET, RANDOM).seal(new byte[] {(byte) k}, "c"));
      Sealer now = Sealer.create(r, Purpose.AUTH_TICKET, RANDOM);
      for (int i = 0; i < sealedUnder.size(); i++) {
        assertThat(opened(now.open(sealedUnder.get(i), "c")))
            .as("value %d after rotation to key %d", i + 1, k)
            .containsExactly((byte) (i + 1));
        assertThat(((Opened.Ok) now.open(sealedUnder.get(i), "c")).key().id()).isEqualTo(i + 1);
      }
    }
    for (int k = 1; k <= 3; k++) {
      r = r.revoke(k);
    }
    Sealer after = Sealer.create(r, Purpose.AUTH_TICKET, RANDOM);
    for (int i = 0; i < 3; i++) {
      assertThat(failed(after.open(sealedUnder.get(i), "c")).reason())
          .isEqualTo(Opened.Reason.REVOKED_KEY);
    }
    assertThat(opened(after.open(sealedUnder.get(3), "c"))).containsExactly((byte) 4);
  }

  @Test
  void decryptOnlyKey_opensButNeverSeals() {
    KeyRing r = TestKeys.single(1, 1).withNewKey(2, key(2), CREATED);
    String sealed = Sealer.create(r, Purpose.AUTH_TICKET, RANDOM).seal(new byte[3], "c");
    assertThat(ByteBuffer.wrap(Base64.getUrlDecoder().decode(sealed), 1, 4).getInt())
        .isEqualTo(1);
    // A node that already promoted key 2 seals under it; this node, still in phase one, opens that
    // value.
    String fromPromotedNode =
        Sealer.create(r.promote(2), Purpose.AUTH_TICKET, RANDOM).seal(new byte[] {9}, "c");
    assertThat(opened(Sealer.create(r, Purpose.AUTH_TICKET, RANDOM).open(fromPromotedNode, "c")))
        .containsExactly(9);
  }

  @Test
  void failedTagChecks_doNotPoisonLaterOpensOrSeals() {
    byte[] pt = new byte[90];
    RANDOM.nextBytes(pt);
    String good = sealer.seal(pt, "c");
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < good.length(); i++) {
      char other = alphabet.charAt((alphabet.indexOf(good.charAt(i)) + 1 + i % 63) % 64);
      String bad = good.substring(0, i) + other + good.substring(i + 1);
      assertThat(sealer.open(bad, "c")).as("position %d", i).isInstanceOf(Opened.Failed.class);
      assertThat(opened(sealer.open(good, "c"))).as("after position %d", i).isEqualTo(pt);
      String fresh = sealer.seal(pt, "c");
      assertThat(opened(sealer.open(fresh, "c")))
          .as("fresh seal after position %d", i)
          .isEqualTo(pt);
    }
  }

  @Test
  void manyFailedTagChecksInARow_thenTheGoodValue_opens() {
    for (int round = 0; round < 50; round++) {
      byte[] pt = new byte[94];
      RANDOM.nextBytes(pt);
      String good = sealer.seal(pt, "__Host-portcullis-auth");
      String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      for (int i = 0; i < good.length(); i++) {
        char other = alphabet.charAt((alphabet.indexOf(good.charAt(i)) + 1 + i % 63) % 64);
        assertThat(sealer.open(
                good.substring(0, i) + other + good.substring(i + 1), "__Host-portcullis-auth"))
            .isInstanceOf(Opened.Failed.class);
      }
      assertThat(sealer.open(good, "__Host-portcullis-auth"))
          .as("round %d: %s", round, good)
          .isInstanceOf(Opened.Ok.class);
    }
  }

  @Test
  void concurrentSealAndOpen_shareThePoolSafely() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final int seed = t;
        results.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 5_000; i++) {
            byte[] pt = ByteBuffer.allocate(8).putInt(seed).putInt(i).array();
            String s = sealer.seal(pt, "c");
            Opened o = sealer.open(s, "c");
            if (o instanceof Opened.Ok k && java.util.Arrays.equals(k.plaintext(), pt)) {
              ok++;
            }
            // A failing open in between must not poison the pooled cipher.
            sealer.open(s.substring(1), "c");
          }
          return ok;
        }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(5_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
