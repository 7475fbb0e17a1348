package dev.portcullis.aspnet.password;

import dev.portcullis.aspnet.password.PasswordCheck.Refused.Reason;
import dev.portcullis.user.PasswordHasher;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies users' existing ASP.NET password hashes and, on a match, makes the Portcullis hash to store instead: a user
 * directory that still holds legacy hashes calls {@link #verify} for them, stores {@link PasswordCheck.Matched#newHash()}
 * and from then on checks that user with {@link PasswordHasher#verify}.
 *
 * <pre>{@code
 * AspNetPasswords legacy = AspNetPasswords.builder(hasher).build();
 * PasswordCheck check = legacy.verify(password, row.hash(), row.salt(), row.format());
 * if (check instanceof PasswordCheck.Matched matched) {
 *   store.replaceHash(row.handle(), matched.newHash());   // the legacy hash is gone
 * }
 * }</pre>
 *
 * <p>Formats: ASP.NET Identity V2 and V3 (every PRF, HMAC-SHA1, -SHA256 and -SHA512, and iteration counts up to
 * {@link #MAX_ITERATIONS}), and SqlMembershipProvider's hashed format with every {@code hashAlgorithmType}; see
 * {@link AspNetHashFormat}. Clear-text and encrypted membership rows are {@link PasswordCheck.Refused refused}.
 *
 * <p><b>Security.</b> Hashes are compared in constant time ({@link MessageDigest#isEqual}). Bad input (a malformed or
 * truncated hash, a bad salt, an unknown marker, null) is a {@link PasswordCheck.Refused} value, never an exception.
 * Every call of {@link #verify} also spends one Argon2id operation of the configured hasher, whatever the outcome (the
 * new hash on a match, {@link PasswordHasher#verifyDummy} otherwise), so a legacy account with a wrong password costs
 * at least what an unknown username costs; {@link #verifyDummy} spends that Argon2id work plus, if configured with
 * {@link Builder#dummyLike}, the derivation of a typical legacy hash, so that unknown usernames cost what a legacy
 * account costs. Iteration counts above {@link #MAX_ITERATIONS} are refused, and so is a V3 row whose iteration count
 * times the PBKDF2 blocks of its subkey is above twice that (a 32-byte HMAC-SHA1 subkey at the cap), so a tampered row
 * cannot make one login run for minutes. Passwords are never logged, and results print no hashes. Identity V2, low
 * iteration counts and the membership digests are weak: replace them at the first login, as above, and reset the
 * accounts that never log in.
 */
public final class AspNetPasswords {
  /** The highest PBKDF2 iteration count an ASP.NET Identity V3 hash may name (ten million). */
  public static final int MAX_ITERATIONS = 10_000_000;

  /** Longer stored values are refused before decoding (far above any real hash). */
  private static final int MAX_STORED_CHARS = 1024;

  private static final int V2_ITERATIONS = 1000;
  private static final int V2_SALT = 16;
  private static final int V2_SUBKEY = 32;
  private static final int V3_HEADER = 13;
  private static final int MIN_SALT = 16;
  private static final int MIN_SUBKEY = 16;
  private static final String[] V3_PRF = {
    "PBKDF2WithHmacSHA1", "PBKDF2WithHmacSHA256", "PBKDF2WithHmacSHA512"
  };
  /** The output length of each of {@link #V3_PRF}'s PRFs, in bytes: one PBKDF2 block. */
  private static final int[] V3_PRF_BYTES = {20, 32, 64};

  private final PasswordHasher hasher;
  private final String dummyHash;
  private final String dummySalt;
  private final AspNetHashFormat dummyFormat;

  private AspNetPasswords(Builder b) {
    this.hasher = b.hasher;
    this.dummyHash = b.dummyHash;
    this.dummySalt = b.dummySalt;
    this.dummyFormat = b.dummyFormat;
  }

  /** A verifier whose matches are rehashed with {@code rehash} (the directory's own hasher). */
  public static Builder builder(PasswordHasher rehash) {
    return new Builder(rehash);
  }

  /**
   * Checks {@code password} against a stored ASP.NET hash.
   *
   * @param password the password as typed; not modified or kept
   * @param storedHash the stored hash, base64 as ASP.NET wrote it
   * @param salt the membership row's base64 {@code PasswordSalt}; ignored (may be null) for {@link
   *     AspNetHashFormat#IDENTITY}, whose salt is inside the hash
   * @param format how the hash was made
   * @return {@link PasswordCheck.Matched} with the hash to store instead, {@link PasswordCheck.NotMatched}, or
   *     {@link PasswordCheck.Refused} with the reason
   */
  public PasswordCheck verify(
      char[] password, String storedHash, String salt, AspNetHashFormat format) {
    PasswordCheck check = check(password, storedHash, salt, format);
    if (check instanceof PasswordCheck.Matched) {
      return new PasswordCheck.Matched(hasher.hash(password));
    }
    hasher.verifyDummy(password == null ? new char[0] : password);
    return check;
  }

  /**
   * The work of one legacy check for a username that does not exist: the hasher's dummy verification and, if
   * configured, the derivation of the {@link Builder#dummyLike} sample. Always false.
   */
  public boolean verifyDummy(char[] password) {
    char[] typed = password == null ? new char[0] : password;
    if (dummyFormat != null) {
      check(typed, dummyHash, dummySalt, dummyFormat);
    }
    hasher.verifyDummy(typed);
    return false;
  }

  /** The comparison alone: {@link PasswordCheck.Matched} here carries no hash yet. */
  private static PasswordCheck check(
      char[] password, String storedHash, String salt, AspNetHashFormat format) {
    if (format == null
        || format == AspNetHashFormat.MEMBERSHIP_CLEAR
        || format == AspNetHashFormat.MEMBERSHIP_ENCRYPTED) {
      return new PasswordCheck.Refused(Reason.UNSUPPORTED_FORMAT);
    }
    if (password == null) {
      return new PasswordCheck.Refused(Reason.MALFORMED);
    }
    byte[] stored = base64(storedHash);
    if (stored == null || stored.length == 0) {
      return new PasswordCheck.Refused(Reason.MALFORMED);
    }
    try {
      return format == AspNetHashFormat.IDENTITY
          ? identity(password, stored)
          : membership(password, stored, base64(salt), format);
    } catch (GeneralSecurityException | RuntimeException e) {
      // A JCA provider refusing the inputs (for example an empty password as a PBKDF2 key) is an
      // unusable hash for this password, not a failure of the login.
      return new PasswordCheck.Refused(Reason.MALFORMED);
    }
  }

  private static PasswordCheck identity(char[] password, byte[] stored)
      throws GeneralSecurityException {
    if (stored[0] == 0x00) {
      if (stored.length != 1 + V2_SALT + V2_SUBKEY) {
        return new PasswordCheck.Refused(Reason.MALFORMED);
      }
      byte[] salt = Arrays.copyOfRange(stored, 1, 1 + V2_SALT);
      byte[] expected = Arrays.copyOfRange(stored, 1 + V2_SALT, stored.length);
      return compare(pbkdf2(V3_PRF[0], password, salt, V2_ITERATIONS, V2_SUBKEY), expected);
    }
    if (stored[0] != 0x01 || stored.length < V3_HEADER) {
      return new PasswordCheck.Refused(Reason.MALFORMED);
    }
    ByteBuffer header = ByteBuffer.wrap(stored, 1, V3_HEADER - 1); // big-endian by default
    long prf = Integer.toUnsignedLong(header.getInt());
    long iterations = Integer.toUnsignedLong(header.getInt());
    long saltLength = Integer.toUnsignedLong(header.getInt());
    if (saltLength < MIN_SALT || saltLength > stored.length - V3_HEADER - MIN_SUBKEY) {
      return new PasswordCheck.Refused(Reason.MALFORMED);
    }
    if (prf >= V3_PRF.length || iterations < 1 || iterations > MAX_ITERATIONS) {
      return new PasswordCheck.Refused(Reason.UNSUPPORTED_PARAMETERS);
    }
    int saltEnd = V3_HEADER + (int) saltLength;
    // PBKDF2 runs the iterations once per block of PRF output in the subkey: a long subkey would
    // multiply the capped count. ASP.NET Identity writes 32 bytes: two blocks of HMAC-SHA1.
    int block = V3_PRF_BYTES[(int) prf];
    long blocks = (stored.length - saltEnd + block - 1) / block;
    if (iterations * blocks > 2L * MAX_ITERATIONS) {
      return new PasswordCheck.Refused(Reason.UNSUPPORTED_PARAMETERS);
    }
    byte[] salt = Arrays.copyOfRange(stored, V3_HEADER, saltEnd);
    byte[] expected = Arrays.copyOfRange(stored, saltEnd, stored.length);
    return compare(
        pbkdf2(V3_PRF[(int) prf], password, salt, (int) iterations, expected.length), expected);
  }

  private static PasswordCheck membership(
      char[] password, byte[] stored, byte[] salt, AspNetHashFormat format)
      throws GeneralSecurityException {
    if (salt == null || salt.length == 0) {
      return new PasswordCheck.Refused(Reason.MALFORMED);
    }
    byte[] utf16 = utf16le(password);
    try {
      byte[] actual;
      if (format.mac != null) {
        Mac mac = Mac.getInstance(format.mac);
        byte[] key = new byte[format.macKeyLength];
        for (int i = 0; i < key.length; i += salt.length) {
          System.arraycopy(salt, 0, key, i, Math.min(salt.length, key.length - i));
        }
        mac.init(new SecretKeySpec(key, format.mac));
        Arrays.fill(key, (byte) 0);
        actual = mac.doFinal(utf16);
      } else {
        MessageDigest digest = MessageDigest.getInstance(format.digest);
        digest.update(salt);
        actual = digest.digest(utf16);
      }
      if (actual.length != stored.length) {
        return new PasswordCheck.Refused(Reason.MALFORMED);
      }
      return compare(actual, stored);
    } finally {
      Arrays.fill(utf16, (byte) 0);
    }
  }

  private static byte[] pbkdf2(
      String algorithm, char[] password, byte[] salt, int iterations, int length)
      throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, length * 8);
    try {
      // SunJCE encodes the password as UTF-8, as ASP.NET Identity does.
      return SecretKeyFactory.getInstance(algorithm).generateSecret(spec).getEncoded();
    } finally {
      spec.clearPassword();
    }
  }

  private static PasswordCheck compare(byte[] actual, byte[] expected) {
    boolean equal = MessageDigest.isEqual(actual, expected);
    Arrays.fill(actual, (byte) 0);
    return equal ? new PasswordCheck.Matched("") : PasswordCheck.NotMatched.INSTANCE;
  }

  private static byte[] utf16le(char[] password) {
    ByteBuffer encoded = StandardCharsets.UTF_16LE.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    return bytes;
  }

  /** The decoded value, or null when it is missing, too long or not base64. */
  private static byte[] base64(String value) {
    if (value == null || value.length() > MAX_STORED_CHARS) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(value.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Configures an {@link AspNetPasswords}; {@link #build()} checks the settings. */
  public static final class Builder {
    private final PasswordHasher hasher;
    private String dummyHash;
    private String dummySalt;
    private AspNetHashFormat dummyFormat;

    private Builder(PasswordHasher hasher) {
      this.hasher = Objects.requireNonNull(hasher, "hasher");
    }

    /**
     * A stored hash typical of the directory (one of its own rows, or one made like them), whose derivation
     * {@link AspNetPasswords#verifyDummy} repeats for unknown usernames, so that they cost what a legacy account
     * costs. Without it, {@code verifyDummy} spends only the hasher's dummy verification.
     */
    public Builder dummyLike(String storedHash, String salt, AspNetHashFormat format) {
      this.dummyHash = Objects.requireNonNull(storedHash, "storedHash");
      this.dummySalt = salt;
      this.dummyFormat = Objects.requireNonNull(format, "format");
      return this;
    }

    /**
     * The verifier.
     *
     * @throws IllegalStateException when the {@link #dummyLike} sample is not a hash this verifier checks
     */
    public AspNetPasswords build() {
      if (dummyFormat != null
          && check("portcullis dummy".toCharArray(), dummyHash, dummySalt, dummyFormat)
              instanceof PasswordCheck.Refused refused) {
        throw new IllegalStateException("the dummyLike sample hash is not usable: "
            + refused.reason()
            + "; give a stored hash of the directory's usual format");
      }
      return new AspNetPasswords(this);
    }
  }
}
