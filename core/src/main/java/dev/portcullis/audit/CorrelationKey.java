package dev.portcullis.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key for correlating values in the audit log without storing them: HMAC-SHA256 under a 32-byte key, the
 * purpose name as domain separation, the output cut to 128 bits and written as base64url without padding.
 *
 * <pre>{@code
 * CorrelationKey key = CorrelationKey.of(bytesFromKeyStore);   // 32 bytes, from configuration
 * SessionRef ref = key.sessionRef(sessionId);                  // put this in the event, never the id
 * }</pre>
 *
 * <p>Thread-safe. Keep one per application; rotating the key breaks correlation across the rotation and nothing
 * else.
 *
 * <p><b>Security.</b> The key must be secret and random; it is copied on construction and never exposed, and the
 * object has no key-revealing {@code toString}. Use a key of its own, not one from the key ring: audit readers
 * are a different audience from cookie readers. 128 bits of output keep collisions out of reach for correlation; they
 * are not meant as an authenticator.
 */
public final class CorrelationKey {
  private static final String ALGORITHM = "HmacSHA256";
  private static final int KEY_BYTES = 32;
  private static final int OUTPUT_BYTES = 16;
  private static final Pattern PURPOSE = Pattern.compile("[a-z][a-z0-9_]{0,31}");
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec key;

  private CorrelationKey(SecretKeySpec key) {
    this.key = key;
  }

  /**
   * A correlation key from exactly 32 bytes, which are copied.
   *
   * @throws IllegalArgumentException if the key is not 32 bytes long or is all one byte value (a placeholder, not a
   *     key)
   */
  public static CorrelationKey of(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("correlation key must be 32 bytes, got " + key.length);
    }
    boolean allSame = true;
    for (byte b : key) {
      allSame &= b == key[0];
    }
    if (allSame) {
      throw new IllegalArgumentException("correlation key is one repeated byte: not a random key");
    }
    byte[] copy = key.clone();
    try {
      return new CorrelationKey(new SecretKeySpec(copy, ALGORITHM));
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /** The reference for a session id, for {@link AuditEvent.Builder#session(SessionRef)}. */
  public SessionRef sessionRef(CharSequence sessionId) {
    return new SessionRef(hash("session", sessionId));
  }

  /**
   * The keyed hash of any value worth correlating but not storing (a ticket id, an attempted user name).
   *
   * @param purpose a short lower-case name, {@code [a-z][a-z0-9_]*}: the same value under two purposes gives
   *     unrelated hashes
   * @return 22 characters of base64url
   */
  public String hash(String purpose, CharSequence value) {
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(value, "value");
    if (!PURPOSE.matcher(purpose).matches()) {
      throw new IllegalArgumentException("purpose must match " + PURPOSE.pattern());
    }
    if (value.length() == 0) {
      throw new IllegalArgumentException("nothing to hash");
    }
    Mac mac = newMac();
    mac.update(purpose.getBytes(StandardCharsets.US_ASCII));
    mac.update((byte) 0);
    mac.update(value.toString().getBytes(StandardCharsets.UTF_8));
    return BASE64URL.encodeToString(Arrays.copyOf(mac.doFinal(), OUTPUT_BYTES));
  }

  private Mac newMac() {
    try {
      // Mac is not thread-safe; a fresh instance costs about a microsecond, far below an audit
      // event's budget.
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
    }
  }
}
