package dev.portcullis.user;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Argon2id password hashes (Bouncy Castle) in the PHC string format:
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (unpadded standard base64).
 *
 * <p><b>Security.</b> Salted, memory-hard, compared in constant time. {@link #verifyDummy} spends the same work as a
 * real check, so an unknown username costs what a wrong password costs. The default cost is OWASP's minimum for
 * Argon2id (19 MiB, 2 passes, 1 lane); {@link #forTests()} is cheap and must never reach production.
 *
 * <p>The cost of a stored hash is read from the hash itself, so {@link #verify} bounds it: at most {@value
 * #MAX_MEMORY_KIB} KiB (256 MiB) of memory and {@value #MAX_WORK_KIB} KiB of memory passes (memory times passes;
 * RFC 9106's 64 MiB with 3 passes is 192 MiB of passes). A hash asking for more never matches, costs a dummy check and
 * is logged with its cost: otherwise one row changed in the user table (or a hash imported from elsewhere) would make
 * every login attempt for that name allocate up to 4 GiB and run for minutes.
 */
public final class PasswordHasher {
  private static final Pattern PHC = Pattern.compile(
      "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,2}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,86})\\$([A-Za-z0-9+/]{22,86})");
  /** The most memory, in KiB, a stored hash may ask for: 256 MiB. */
  public static final int MAX_MEMORY_KIB = 256 * 1024;

  /** The most memory passes, in KiB (memory in KiB times passes), a stored hash may ask for: 256 MiB twice. */
  public static final long MAX_WORK_KIB = 2L * MAX_MEMORY_KIB;

  private static final Logger LOG = LoggerFactory.getLogger(PasswordHasher.class);
  private static final int SALT = 16;
  private static final int HASH = 32;

  private final int memoryKib;
  private final int iterations;
  private final int parallelism;
  private final SecureRandom random;
  private final String dummy;

  private PasswordHasher(int memoryKib, int iterations, int parallelism, SecureRandom random) {
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.parallelism = parallelism;
    this.random = random;
    this.dummy = hash("portcullis dummy password".toCharArray());
  }

  /** OWASP's Argon2id minimum: m = 19 MiB, t = 2, p = 1. */
  public static PasswordHasher standard(SecureRandom random) {
    return new PasswordHasher(19 * 1024, 2, 1, Objects.requireNonNull(random));
  }

  /** A cheap cost (64 KiB, 1 pass) for tests only. */
  public static PasswordHasher forTests() {
    return new PasswordHasher(64, 1, 1, new SecureRandom());
  }

  public String hash(char[] password) {
    byte[] salt = new byte[SALT];
    random.nextBytes(salt);
    byte[] out = derive(password, salt, memoryKib, iterations, parallelism, HASH);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
        + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
  }

  /** Whether {@code password} matches {@code phc}. A malformed hash never matches (and costs a dummy check). */
  public boolean verify(char[] password, String phc) {
    Matcher m = phc == null ? null : PHC.matcher(phc);
    if (m == null || !m.matches()) {
      verifyDummy(password);
      return false;
    }
    int mem = Integer.parseInt(m.group(1));
    int t = Integer.parseInt(m.group(2));
    int p = Integer.parseInt(m.group(3));
    if (mem < 8 * p || t < 1 || p < 1) {
      verifyDummy(password);
      return false;
    }
    if (mem > MAX_MEMORY_KIB || (long) mem * t > MAX_WORK_KIB) {
      LOG.warn(
          "a stored password hash asks for m={} KiB and t={} passes, more than the {} KiB and {} KiB"
              + " of passes allowed; it never matches",
          mem,
          t,
          MAX_MEMORY_KIB,
          MAX_WORK_KIB);
      verifyDummy(password);
      return false;
    }
    byte[] salt;
    byte[] expected;
    try {
      salt = Base64.getDecoder().decode(m.group(4));
      expected = Base64.getDecoder().decode(m.group(5));
    } catch (IllegalArgumentException e) {
      // A length no encoder writes (one character past a whole group of four): malformed.
      verifyDummy(password);
      return false;
    }
    byte[] actual = derive(password, salt, mem, t, p, expected.length);
    return MessageDigest.isEqual(actual, expected);
  }

  /** The work of one verification, for unknown usernames. Always false. */
  public boolean verifyDummy(char[] password) {
    verify(password, dummy);
    return false;
  }

  private static byte[] derive(char[] password, byte[] salt, int mem, int t, int p, int len) {
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(mem)
        .withIterations(t)
        .withParallelism(p)
        .withSalt(salt)
        .build());
    ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] pw = new byte[utf8.remaining()];
    utf8.get(pw);
    byte[] out = new byte[len];
    try {
      gen.generateBytes(pw, out);
    } finally {
      Arrays.fill(pw, (byte) 0);
      if (utf8.hasArray()) {
        Arrays.fill(utf8.array(), (byte) 0);
      }
    }
    return out;
  }
}
