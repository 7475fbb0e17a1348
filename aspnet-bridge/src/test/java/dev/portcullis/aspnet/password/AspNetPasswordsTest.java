package dev.portcullis.aspnet.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.aspnet.password.PasswordCheck.Refused.Reason;
import dev.portcullis.user.PasswordHasher;
import java.nio.ByteBuffer;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The verifier without the shared vectors: SqlMembershipProvider's keyed types, the formats that are never verified,
 * malformed and unsupported input as typed refusals, and the rehash.
 */
class AspNetPasswordsTest {
  private static final PasswordHasher HASHER = PasswordHasher.forTests();
  private static final AspNetPasswords PASSWORDS =
      AspNetPasswords.builder(HASHER).build();
  private static final String PASSWORD = "3GrM4v[eYgK-UT";
  private static final String SALT = "wZdnRVXWcvXZKY6HJmJqUg==";
  /** Made with SHA-256 of the same password and salt; a well-formed SHA256 membership hash. */
  private static final String SHA256_HASH = "Kqx+vXAfjf0esjMOR/Ls6rPijWFh3+ObJfA79YH30V8=";

  /**
   * Keyed membership hashes: HMAC over the UTF-16LE password, keyed with the 16-byte salt repeated to the .NET
   * algorithm's default key size, computed independently with Python's {@code hmac} module. (The shared vectors hold
   * no keyed case from a .NET runtime.)
   */
  @ParameterizedTest
  @CsvSource({
    "HMACMD5, vXkf9dgtqcL+sw+BAqxGcw==",
    "HMACSHA1, N+DD1Hhj3a0gTSKF4RSbLaGAitI=",
    "HMACSHA256, MAGeDSl8buhfSBPHliCQZBhnhrYaNECioDonpeBJqJ4=",
    "HMACSHA384, Ogfk77n5zq4OY0+zRUa0xE0nGikWv+M6a1KWKLQg0DgKYuaNrsQgObu2RI++SiJM",
    "HMACSHA512,"
        + " g8vNUKoscfMJhEZLn4hHx7T0+LkRoWdd8fND0SUul218ZQlGrMGQTSnQJAOYahUdLTpd5uXxWGcDaM9xrJYIpQ=="
  })
  void keyedMembershipHash_matchesItsPassword_andNothingElse(String algorithm, String hash) {
    AspNetHashFormat format = AspNetHashFormat.membership(1, algorithm);
    assertThat(PASSWORDS.verify(PASSWORD.toCharArray(), hash, SALT, format).matched())
        .isTrue();
    assertThat(PASSWORDS.verify((PASSWORD + "!").toCharArray(), hash, SALT, format))
        .isInstanceOf(PasswordCheck.NotMatched.class);
    assertThat(PASSWORDS.verify(PASSWORD.toCharArray(), hash, "AAAAAAAAAAAAAAAAAAAAAA==", format))
        .isInstanceOf(PasswordCheck.NotMatched.class);
  }

  @Test
  void membershipFormat_isReadFromTheRowAndTheConfiguredAlgorithm() {
    assertThat(AspNetHashFormat.membership(1, "SHA1")).isEqualTo(AspNetHashFormat.MEMBERSHIP_SHA1);
    assertThat(AspNetHashFormat.membership(1, " hmacsha256 "))
        .isEqualTo(AspNetHashFormat.MEMBERSHIP_HMACSHA256);
    assertThat(AspNetHashFormat.membership(1, "System.Security.Cryptography.SHA512"))
        .isEqualTo(AspNetHashFormat.MEMBERSHIP_SHA512);
    assertThat(AspNetHashFormat.membership(0, null)).isEqualTo(AspNetHashFormat.MEMBERSHIP_CLEAR);
    assertThat(AspNetHashFormat.membership(2, "SHA1"))
        .isEqualTo(AspNetHashFormat.MEMBERSHIP_ENCRYPTED);
    assertThatThrownBy(() -> AspNetHashFormat.membership(3, "SHA1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PasswordFormat 3");
    assertThatThrownBy(() -> AspNetHashFormat.membership(1, "CLEAR"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hashAlgorithmType 'CLEAR'");
    assertThatThrownBy(() -> AspNetHashFormat.membership(1, "IDENTITY"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clearAndEncryptedMembershipRows_areRefused_evenWhenTheyWouldMatch() {
    assertThat(PASSWORDS.verify(
            PASSWORD.toCharArray(), PASSWORD, SALT, AspNetHashFormat.MEMBERSHIP_CLEAR))
        .isInstanceOfSatisfying(
            PasswordCheck.Refused.class,
            r -> assertThat(r.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT));
    assertThat(PASSWORDS.verify(
            PASSWORD.toCharArray(), SHA256_HASH, SALT, AspNetHashFormat.MEMBERSHIP_ENCRYPTED))
        .isInstanceOfSatisfying(
            PasswordCheck.Refused.class,
            r -> assertThat(r.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT));
    assertThat(PASSWORDS.verify(PASSWORD.toCharArray(), SHA256_HASH, SALT, null))
        .isInstanceOf(PasswordCheck.Refused.class);
  }

  @Test
  void badInput_isATypedRefusal_neverAnException() {
    AspNetHashFormat sha256 = AspNetHashFormat.MEMBERSHIP_SHA256;
    char[] pw = PASSWORD.toCharArray();
    assertThat(reason(PASSWORDS.verify(null, SHA256_HASH, SALT, sha256)))
        .isEqualTo(Reason.MALFORMED);
    assertThat(reason(PASSWORDS.verify(pw, null, SALT, sha256))).isEqualTo(Reason.MALFORMED);
    assertThat(reason(PASSWORDS.verify(pw, SHA256_HASH, null, sha256))).isEqualTo(Reason.MALFORMED);
    assertThat(reason(PASSWORDS.verify(pw, "%%%", SALT, sha256))).isEqualTo(Reason.MALFORMED);
    assertThat(reason(PASSWORDS.verify(pw, "A".repeat(2000), SALT, sha256)))
        .isEqualTo(Reason.MALFORMED);
    assertThat(reason(PASSWORDS.verify(pw, "", null, AspNetHashFormat.IDENTITY)))
        .isEqualTo(Reason.MALFORMED);
    assertThat(reason(PASSWORDS.verify(pw, "AQ==", null, AspNetHashFormat.IDENTITY)))
        .isEqualTo(Reason.MALFORMED);
    assertThat(reason(
            PASSWORDS.verify(new char[0], v3(0, 1000, 16, 32), null, AspNetHashFormat.IDENTITY)))
        .as("an empty password is refused or not matched, never an exception")
        .isIn(Reason.MALFORMED, null);
  }

  // The timeout only stops a regression from hanging the build: refused rows derive nothing.
  @Test
  @Timeout(60)
  void identityV3_withParametersOutsideTheSupportedRange_isRefusedBeforeAnyDerivation() {
    char[] pw = PASSWORD.toCharArray();
    assertThat(reason(PASSWORDS.verify(pw, v3(3, 1000, 16, 32), null, AspNetHashFormat.IDENTITY)))
        .as("unknown PRF")
        .isEqualTo(Reason.UNSUPPORTED_PARAMETERS);
    assertThat(reason(PASSWORDS.verify(pw, v3(1, 0, 16, 32), null, AspNetHashFormat.IDENTITY)))
        .as("no iterations")
        .isEqualTo(Reason.UNSUPPORTED_PARAMETERS);
    assertThat(reason(PASSWORDS.verify(
            pw,
            v3(1, AspNetPasswords.MAX_ITERATIONS + 1, 16, 32),
            null,
            AspNetHashFormat.IDENTITY)))
        .as("more iterations than a login may spend")
        .isEqualTo(Reason.UNSUPPORTED_PARAMETERS);
    assertThat(reason(PASSWORDS.verify(pw, v3(1, -1, 16, 32), null, AspNetHashFormat.IDENTITY)))
        .as("an unsigned count above 2^31")
        .isEqualTo(Reason.UNSUPPORTED_PARAMETERS);
    assertThat(reason(PASSWORDS.verify(pw, v3(1, 1000, 8, 32), null, AspNetHashFormat.IDENTITY)))
        .as("a salt shorter than 128 bits")
        .isEqualTo(Reason.MALFORMED);
    assertThat(reason(PASSWORDS.verify(pw, v3(1, 1000, -1, 32), null, AspNetHashFormat.IDENTITY)))
        .as("a salt length past the end")
        .isEqualTo(Reason.MALFORMED);
    assertThat(reason(PASSWORDS.verify(
            pw, v3(0, AspNetPasswords.MAX_ITERATIONS, 16, 739), null, AspNetHashFormat.IDENTITY)))
        .as("the capped count times 37 HMAC-SHA1 blocks of subkey (the longest a stored row holds)")
        .isEqualTo(Reason.UNSUPPORTED_PARAMETERS);
    assertThat(reason(PASSWORDS.verify(
            pw, v3(2, AspNetPasswords.MAX_ITERATIONS, 16, 129), null, AspNetHashFormat.IDENTITY)))
        .as("three HMAC-SHA512 blocks at the cap")
        .isEqualTo(Reason.UNSUPPORTED_PARAMETERS);
    assertThat(PASSWORDS.verify(pw, v3(1, 1000, 16, 32), null, AspNetHashFormat.IDENTITY))
        .as("in range: derived and compared")
        .isInstanceOf(PasswordCheck.NotMatched.class);
  }

  @Test
  void aMatch_carriesAFreshArgon2idHash_thatPrintsNothing() {
    PasswordCheck check = PASSWORDS.verify(
        PASSWORD.toCharArray(), SHA256_HASH, SALT, AspNetHashFormat.MEMBERSHIP_SHA256);
    assertThat(check).isInstanceOf(PasswordCheck.Matched.class).hasToString("Matched");
    String fresh = ((PasswordCheck.Matched) check).newHash();
    assertThat(fresh).startsWith("$argon2id$v=19$");
    assertThat(HASHER.verify(PASSWORD.toCharArray(), fresh)).isTrue();
    PasswordCheck again = PASSWORDS.verify(
        PASSWORD.toCharArray(), SHA256_HASH, SALT, AspNetHashFormat.MEMBERSHIP_SHA256);
    assertThat(((PasswordCheck.Matched) again).newHash()).as("salted afresh").isNotEqualTo(fresh);
  }

  @Test
  void verifyDummy_isAlwaysFalse_andTheSampleMustBeUsable() {
    AspNetPasswords withSample = AspNetPasswords.builder(HASHER)
        .dummyLike(SHA256_HASH, SALT, AspNetHashFormat.MEMBERSHIP_SHA256)
        .build();
    assertThat(withSample.verifyDummy(PASSWORD.toCharArray())).isFalse();
    assertThat(PASSWORDS.verifyDummy(null)).isFalse();
    assertThatThrownBy(() -> AspNetPasswords.builder(HASHER)
            .dummyLike(SHA256_HASH, SALT, AspNetHashFormat.MEMBERSHIP_CLEAR)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("UNSUPPORTED_FORMAT");
    assertThatThrownBy(() -> AspNetPasswords.builder(HASHER)
            .dummyLike("AA==", null, AspNetHashFormat.IDENTITY)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MALFORMED");
  }

  /** The reason of a refusal, or null for any other outcome. */
  private static Reason reason(PasswordCheck check) {
    return check instanceof PasswordCheck.Refused refused ? refused.reason() : null;
  }

  /** A V3 header with the given fields and zero bytes for the salt (16 when the field is unusable) and subkey. */
  private static String v3(int prf, int iterations, int saltLength, int subkeyLength) {
    int salt = saltLength >= 0 && saltLength <= 64 ? saltLength : 16;
    ByteBuffer b = ByteBuffer.allocate(13 + salt + subkeyLength);
    b.put((byte) 1).putInt(prf).putInt(iterations).putInt(saltLength);
    return Base64.getEncoder().encodeToString(b.array());
  }
}
