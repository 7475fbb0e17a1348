package dev.portcullis.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Properties of sealing: what is sealed opens, and nothing else does. Each property runs 10,000 cases.
 */
class SealerPropertiesTest {
  private static final KeyRing RING = TestKeys.single(0x0badcafe, 3);
  private static final Sealer AUTH = Sealer.create(RING, Purpose.AUTH_TICKET, new SecureRandom());
  private static final Sealer SSO = Sealer.create(RING, Purpose.SSO_UPGRADE, new SecureRandom());
  private static final String COOKIE = "__Host-portcullis-auth";

  @Property(tries = 10_000)
  void decoding_agreesWithTheJdk_andRefusesEveryOtherSpelling(
      @ForAll @Size(max = 100) byte[] bytes, @ForAll @IntRange(min = 0) int pick) {
    String text = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    if (text.isEmpty()) {
      assertThat(Sealer.decodeCanonical(text)).isNull();
      return;
    }
    assertThat(Sealer.decodeCanonical(text)).isEqualTo(bytes);
    // Any other last character decodes to other bytes or is refused: never to the same bytes.
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char other = alphabet.charAt(pick % 64);
    String changed = text.substring(0, text.length() - 1) + other;
    if (other != text.charAt(text.length() - 1)) {
      byte[] decoded = Sealer.decodeCanonical(changed);
      assertThat(decoded == null || !java.util.Arrays.equals(decoded, bytes)).isTrue();
      if (decoded != null) {
        assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(decoded))
            .isEqualTo(changed);
      }
    }
    // The padded spelling of the same bytes: refused.
    String padded = Base64.getUrlEncoder().encodeToString(bytes);
    if (!padded.equals(text)) {
      assertThat(Sealer.decodeCanonical(padded)).isNull();
    }
    // A character outside the alphabet anywhere, padding, or one character too many: refused.
    int at = pick % text.length();
    assertThat(Sealer.decodeCanonical(text.substring(0, at) + "=" + text.substring(at + 1)))
        .isNull();
    assertThat(Sealer.decodeCanonical(text.substring(0, at) + "\u0141" + text.substring(at + 1)))
        .isNull();
    if (text.length() % 4 == 0) {
      assertThat(Sealer.decodeCanonical(text + "A")).isNull();
    }
  }

  @Property(tries = 10_000)
  void decoding_acceptsExactlyTheTextsThatReEncodeToThemselves(
      @ForAll("nearBase64url") @StringLength(max = 14) String text) {
    byte[] reference;
    try {
      reference = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      reference = null;
    }
    boolean canonical = !text.isEmpty()
        && reference != null
        && Base64.getUrlEncoder().withoutPadding().encodeToString(reference).equals(text);
    if (canonical) {
      assertThat(Sealer.decodeCanonical(text)).isEqualTo(reference);
    } else {
      assertThat(Sealer.decodeCanonical(text)).isNull();
    }
  }

  /** Base64url text with padding, the standard alphabet's two characters and a non-Latin-1 letter mixed in. */
  @Provide
  Arbitrary<String> nearBase64url() {
    return Arbitraries.strings()
        .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        .withChars("AQgw=+/\u0141")
        .ofMaxLength(14);
  }

  @Property(tries = 10_000)
  void sealed_opensToTheSameBytes(@ForAll @Size(max = 300) byte[] plaintext) {
    Opened o = AUTH.open(AUTH.seal(plaintext, COOKIE), COOKIE);
    assertThat(o).isInstanceOf(Opened.Ok.class);
    assertThat(((Opened.Ok) o).plaintext()).isEqualTo(plaintext);
  }

  @Property(tries = 10_000)
  void everySingleBitFlip_isRejected(
      @ForAll @Size(max = 200) byte[] plaintext, @ForAll @IntRange(min = 0) int pick) {
    byte[] raw = Base64.getUrlDecoder().decode(AUTH.seal(plaintext, COOKIE));
    int bit = pick % (raw.length * 8);
    raw[bit / 8] ^= (byte) (1 << (bit % 8));
    String flipped = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    assertThat(AUTH.open(flipped, COOKIE)).isInstanceOf(Opened.Failed.class);
  }

  @Property(tries = 10_000)
  void everySingleCharacterChange_isRejected(
      @ForAll @Size(max = 200) byte[] plaintext,
      @ForAll @IntRange(min = 0) int position,
      @ForAll("base64urlChar") char replacement) {
    String sealed = AUTH.seal(plaintext, COOKIE);
    int i = position % sealed.length();
    if (sealed.charAt(i) == replacement) {
      return;
    }
    String changed = sealed.substring(0, i) + replacement + sealed.substring(i + 1);
    assertThat(AUTH.open(changed, COOKIE)).isInstanceOf(Opened.Failed.class);
  }

  @Property(tries = 10_000)
  void truncation_isRejected(
      @ForAll @Size(max = 200) byte[] plaintext, @ForAll @IntRange(min = 1) int cut) {
    String sealed = AUTH.seal(plaintext, COOKIE);
    int keep = sealed.length() - 1 - (cut % sealed.length());
    assertThat(AUTH.open(sealed.substring(0, Math.max(keep, 0)), COOKIE))
        .isInstanceOf(Opened.Failed.class);
  }

  @Property(tries = 10_000)
  void extension_isRejected(
      @ForAll @Size(max = 200) byte[] plaintext,
      @ForAll @StringLength(min = 1, max = 20) String suffix) {
    String sealed = AUTH.seal(plaintext, COOKIE);
    assertThat(AUTH.open(sealed + suffix, COOKIE)).isInstanceOf(Opened.Failed.class);
  }

  @Property(tries = 10_000)
  void sealedForOnePurposeOrCookie_neverOpensUnderAnother(
      @ForAll @Size(max = 100) byte[] plaintext,
      @ForAll @StringLength(min = 1, max = 40) String otherCookie) {
    String sealed = AUTH.seal(plaintext, COOKIE);
    assertThat(SSO.open(sealed, COOKIE)).isInstanceOf(Opened.Failed.class);
    if (!otherCookie.equals(COOKIE)) {
      assertThat(AUTH.open(sealed, otherCookie)).isInstanceOf(Opened.Failed.class);
    }
    String sso = SSO.seal(plaintext, COOKIE);
    assertThat(AUTH.open(sso, COOKIE)).isInstanceOf(Opened.Failed.class);
  }

  @Property(tries = 10_000)
  void randomText_neverOpens(@ForAll("base64urlText") String text) {
    assertThat(AUTH.open(text, COOKIE)).isInstanceOf(Opened.Failed.class);
  }

  @Property(tries = 2_000)
  void anyText_neverThrows(@ForAll @StringLength(max = 5000) String text) {
    assertThat(AUTH.open(text, COOKIE)).isInstanceOf(Opened.Failed.class);
  }

  @Provide
  Arbitrary<Character> base64urlChar() {
    return Arbitraries.of(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray());
  }

  @Provide
  Arbitrary<String> base64urlText() {
    // Long enough to pass the length checks and, with the right first characters, reach the tag
    // check.
    Arbitrary<String> body = base64urlChar()
        .list()
        .ofMinSize(40)
        .ofMaxSize(300)
        .map(cs -> cs.stream().map(String::valueOf).reduce("", String::concat));
    return Arbitraries.oneOf(body, body.map(s -> "AQutyv4" + s));
  }
}
