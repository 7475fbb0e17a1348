package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.aspnet.MachineKey.CompatibilityMode;
import dev.portcullis.aspnet.MachineKey.Decryption;
import dev.portcullis.aspnet.MachineKey.Validation;
import dev.portcullis.aspnet.TicketResult.NotValid;
import dev.portcullis.aspnet.TicketResult.NotValid.Reason;
import dev.portcullis.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The behaviour of {@link FormsAuthentication#open} beyond the round trip: expiry, limits and the order of checks. */
class FormsAuthenticationTest {
  private static final String VALIDATION_KEY = Configurations.randomHex(64);
  private static final String DECRYPTION_KEY = Configurations.randomHex(32);

  private final MutableClock clock = new MutableClock(Configurations.NOW);

  private static MachineKey key(CompatibilityMode mode) {
    return MachineKey.builder()
        .validationKey(VALIDATION_KEY)
        .decryptionKey(DECRYPTION_KEY)
        .validation(Validation.HMACSHA256)
        .decryption(Decryption.AES)
        .compatibilityMode(mode)
        .build();
  }

  private FormsAuthentication forms(CompatibilityMode mode) {
    return FormsAuthentication.builder(key(mode))
        .clock(clock)
        .random(new SecureRandom())
        .build();
  }

  private static Reason reason(TicketResult result) {
    assertThat(result).isInstanceOf(NotValid.class);
    return ((NotValid) result).reason();
  }

  @Test
  void ticket_isValidUntilItsExpiration_thenExpired() {
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK45);
    FormsAuthenticationTicket ticket = Configurations.ticket();
    String cookie = forms.seal(ticket);

    clock.set(ticket.expiration().minusNanos(100));
    assertThat(forms.open(cookie)).isInstanceOf(TicketResult.Valid.class);

    clock.set(ticket.expiration());
    TicketResult atExpiry = forms.open(cookie);
    assertThat(atExpiry).isInstanceOf(TicketResult.Expired.class);
    assertThat(((TicketResult.Expired) atExpiry).ticket()).isEqualTo(ticket);

    clock.advance(Duration.ofDays(365));
    assertThat(forms.open(cookie)).isInstanceOf(TicketResult.Expired.class);
  }

  @Test
  void missingCookie_isNotValid() {
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK45);

    assertThat(reason(forms.open(null))).isEqualTo(Reason.MISSING);
    assertThat(reason(forms.open(""))).isEqualTo(Reason.MISSING);
  }

  @Test
  void overlongInput_isRefusedBeforeDecoding() {
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK45);

    // Not hex at all: only the length check can have refused it.
    assertThat(reason(forms.open("Z".repeat(4097)))).isEqualTo(Reason.TOO_LONG);
    assertThat(reason(forms.open("0".repeat(4098)))).isEqualTo(Reason.TOO_LONG);
    assertThat(reason(forms.open("Z".repeat(4096)))).isEqualTo(Reason.NOT_HEX);
  }

  @Test
  void configuredMaximum_limitsBothOpenAndSeal() {
    FormsAuthentication small = FormsAuthentication.builder(key(CompatibilityMode.FRAMEWORK45))
        .clock(clock)
        .random(new SecureRandom())
        .maxCookieLength(256)
        .build();
    FormsAuthentication large = forms(CompatibilityMode.FRAMEWORK45);
    FormsAuthenticationTicket big = FormsAuthenticationTicket.builder(
            "bob", Configurations.NOW, Configurations.NOW.plusSeconds(60))
        .userData("x".repeat(200))
        .build();

    String cookie = large.seal(big);

    assertThat(large.open(cookie)).isInstanceOf(TicketResult.Valid.class);
    assertThat(reason(small.open(cookie))).isEqualTo(Reason.TOO_LONG);
    assertThatThrownBy(() -> small.seal(big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than the maximum of 256");
  }

  @Test
  void ticketTooBigForAnyCookie_isRefusedWhenSealing() {
    FormsAuthenticationTicket huge = FormsAuthenticationTicket.builder(
            "bob", Configurations.NOW, Configurations.NOW.plusSeconds(60))
        .userData("x".repeat(2000))
        .build();

    assertThatThrownBy(() -> forms(CompatibilityMode.FRAMEWORK45).seal(huge))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nonHexInput_isNotValid() {
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK45);
    String cookie = forms.seal(Configurations.ticket());

    assertThat(reason(forms.open(cookie.substring(1)))).isEqualTo(Reason.NOT_HEX);
    assertThat(reason(forms.open("G" + cookie.substring(1)))).isEqualTo(Reason.NOT_HEX);
    // Unicode digits that Character.digit would accept are still not hex.
    assertThat(reason(forms.open("\u0663" + cookie.substring(1)))).isEqualTo(Reason.NOT_HEX);
    assertThat(reason(forms.open(" " + cookie.substring(1)))).isEqualTo(Reason.NOT_HEX);
  }

  @Test
  void tooShortForAnyCookie_isWrongLength() {
    FormsAuthentication fx45 = forms(CompatibilityMode.FRAMEWORK45);
    FormsAuthentication legacy = forms(CompatibilityMode.FRAMEWORK20SP1);

    assertThat(reason(fx45.open("00"))).isEqualTo(Reason.WRONG_LENGTH);
    assertThat(reason(legacy.open("00".repeat(16 + 31)))).isEqualTo(Reason.WRONG_LENGTH);
    assertThat(reason(fx45.open("00".repeat(16 + 16 + 32)))).isEqualTo(Reason.MAC_MISMATCH);
  }

  /**
   * A forged cookie whose padding is wrong must look exactly like any other forgery: the MAC is checked first, so the
   * padding is never reached. Only a cookie with a correct MAC (which needs the key) gets as far as decryption.
   */
  @Test
  void badPadding_isOnlyReachedBehindACorrectMac_framework45() {
    CookieProtection.Framework45 protection =
        new CookieProtection.Framework45(key(CompatibilityMode.FRAMEWORK45), new SecureRandom());
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK45);
    byte[] cookie = HexFormat.of().parseHex(forms.seal(Configurations.ticket()));
    int tagStart = cookie.length - 32;
    byte[] badPadding = breakPadding(cookie, tagStart, 16);

    assertThat(reason(forms.open(hex(badPadding)))).isEqualTo(Reason.MAC_MISMATCH);

    byte[] signed = resign(badPadding, tagStart, fx45Tagger());
    assertThat(protection.unprotect(signed).failure()).isEqualTo(Reason.DECRYPTION_FAILED);
    assertThat(reason(forms.open(hex(signed)))).isEqualTo(Reason.DECRYPTION_FAILED);
  }

  @Test
  void badPadding_isOnlyReachedBehindACorrectMac_legacy() {
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK20SP1);
    byte[] cookie = HexFormat.of().parseHex(forms.seal(Configurations.ticket()));
    int tagStart = cookie.length - 32;
    byte[] badPadding = breakPadding(cookie, tagStart, 16);

    assertThat(reason(forms.open(hex(badPadding)))).isEqualTo(Reason.MAC_MISMATCH);

    byte[] signed = resign(badPadding, tagStart, legacyTagger());
    assertThat(reason(forms.open(hex(signed)))).isEqualTo(Reason.DECRYPTION_FAILED);
  }

  @Test
  void legacyCookie_withCorrectOuterMacButWrongInnerMac_isNotValid() {
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK20SP1);
    byte[] ticket = TicketFormat.SERIALIZED.write(Configurations.ticket(), new SecureRandom());
    byte[] innerTag = legacyTagger().tag(ticket, 0, ticket.length);

    assertThat(forms.open(legacyCookie(32, ticket, innerTag)))
        .isInstanceOf(TicketResult.Valid.class);
    innerTag[0] ^= 1;
    assertThat(reason(forms.open(legacyCookie(32, ticket, innerTag))))
        .isEqualTo(Reason.INNER_MAC_MISMATCH);
  }

  /** Some third-party encoders leave out .NET's random prefix; .NET itself rejects their cookies, and so do we. */
  @Test
  void legacyCookie_withoutTheRandomPrefix_isNotValid() {
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK20SP1);
    byte[] ticket = TicketFormat.SERIALIZED.write(Configurations.ticket(), new SecureRandom());
    byte[] innerTag = legacyTagger().tag(ticket, 0, ticket.length);

    assertThat(reason(forms.open(legacyCookie(0, ticket, innerTag))))
        .isEqualTo(Reason.INNER_MAC_MISMATCH);
    assertThat(reason(forms.open(legacyCookie(16, ticket, innerTag))))
        .isEqualTo(Reason.INNER_MAC_MISMATCH);
  }

  @Test
  void authenticButMalformedTicket_isNotValid() {
    CookieProtection protection =
        CookieProtection.of(key(CompatibilityMode.FRAMEWORK45), new SecureRandom());
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK45);

    String cookie = hex(protection.protect(new byte[] {1, 2, 3}));

    assertThat(reason(forms.open(cookie))).isEqualTo(Reason.MALFORMED_TICKET);
  }

  @Test
  void legacyLayoutCookie_isNotValidWhereTheSerializedLayoutIsConfigured() {
    FormsAuthentication legacyLayout = FormsAuthentication.builder(
            key(CompatibilityMode.FRAMEWORK20SP2))
        .clock(clock)
        .random(new SecureRandom())
        .legacyTicketCompatibility(true)
        .build();
    FormsAuthentication serializedLayout = forms(CompatibilityMode.FRAMEWORK20SP2);
    String cookie = legacyLayout.seal(Configurations.ticket());

    assertThat(legacyLayout.open(cookie)).isInstanceOf(TicketResult.Valid.class);
    assertThat(reason(serializedLayout.open(cookie))).isEqualTo(Reason.MALFORMED_TICKET);
  }

  @Test
  void framework20Sp1AndSp2_readEachOthersCookies_butNotFramework45s() {
    String sp1 = forms(CompatibilityMode.FRAMEWORK20SP1).seal(Configurations.ticket());
    String fx45 = forms(CompatibilityMode.FRAMEWORK45).seal(Configurations.ticket());

    assertThat(forms(CompatibilityMode.FRAMEWORK20SP2).open(sp1))
        .isInstanceOf(TicketResult.Valid.class);
    assertThat(forms(CompatibilityMode.FRAMEWORK20SP2).open(fx45)).isInstanceOf(NotValid.class);
    assertThat(forms(CompatibilityMode.FRAMEWORK45).open(sp1)).isInstanceOf(NotValid.class);
  }

  @Test
  void builder_requiresClockAndRandom_andASaneMaximum() {
    MachineKey key = key(CompatibilityMode.FRAMEWORK45);

    assertThatThrownBy(
            () -> FormsAuthentication.builder(key).random(new SecureRandom()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clock");
    assertThatThrownBy(() -> FormsAuthentication.builder(key).clock(clock).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SecureRandom");
    assertThatThrownBy(() -> FormsAuthentication.builder(key)
            .clock(clock)
            .random(new SecureRandom())
            .maxCookieLength(100_000)
            .build())
        .isInstanceOf(IllegalStateException.class);
    assertThat(FormsAuthentication.builder(key)
            .clock(clock)
            .random(new SecureRandom())
            .build()
            .maxCookieLength())
        .isEqualTo(4096);
  }

  @Test
  void results_andTicket_doNotPrintPersonalData() {
    FormsAuthentication forms = forms(CompatibilityMode.FRAMEWORK45);
    String cookie = forms.seal(Configurations.ticket());

    String printed = forms.open(cookie) + " " + Configurations.ticket();

    assertThat(printed).contains("Valid[").doesNotContain("alice").doesNotContain("roles=");
    assertThat(forms.open("00").toString()).isEqualTo("NotValid[WRONG_LENGTH]");
  }

  /**
   * In CBC, changing a byte of the second-to-last block changes the same byte of the last plaintext block. The last
   * byte is the padding length (1 to 16); XOR with 0x55 makes it at least 0x45, which no padding can be.
   */
  private static byte[] breakPadding(byte[] cookie, int tagStart, int blockLength) {
    byte[] out = cookie.clone();
    out[tagStart - blockLength - 1] ^= 0x55;
    return out;
  }

  /** A legacy cookie built by hand: CBC with a zero IV over prefix, ticket and the given inner tag, then the MAC. */
  private static String legacyCookie(int prefixLength, byte[] ticket, byte[] innerTag) {
    byte[] inner = new byte[prefixLength + ticket.length + innerTag.length];
    System.arraycopy(ticket, 0, inner, prefixLength, ticket.length);
    System.arraycopy(innerTag, 0, inner, prefixLength + ticket.length, innerTag.length);
    BlockCipher cipher = new BlockCipher(Decryption.AES, HexFormat.of().parseHex(DECRYPTION_KEY));
    byte[] ciphertext = cipher.encrypt(new byte[16], inner);
    byte[] cookie = Arrays.copyOf(ciphertext, ciphertext.length + 32);
    return hex(resign(cookie, ciphertext.length, legacyTagger()));
  }

  private static Tagger legacyTagger() {
    return Tagger.hmac("HmacSHA256", HexFormat.of().parseHex(VALIDATION_KEY));
  }

  private static Tagger fx45Tagger() {
    return Tagger.hmac(
        "HmacSHA256",
        Sp800108.deriveSameLength(
            HexFormat.of().parseHex(VALIDATION_KEY), "FormsAuthentication.Ticket"));
  }

  private static byte[] resign(byte[] cookie, int tagStart, Tagger tagger) {
    byte[] out = Arrays.copyOf(cookie, cookie.length);
    byte[] tag = tagger.tag(out, 0, tagStart);
    System.arraycopy(tag, 0, out, tagStart, tag.length);
    return out;
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
