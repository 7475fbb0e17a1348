package dev.portcullis.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Secret key bytes, kept opaque.
 *
 * <p><b>Security.</b> {@link #toString()} never shows the bytes; {@link #equals(Object)} compares in constant time
 * for keys of equal length; the bytes leave only through {@link #toByteArray(SecretAccess)}. The array is copied in and
 * out, so callers can wipe their own copies. Nothing here protects the bytes from a heap dump.
 */
public final class KeyMaterial {
  /** The shortest master key accepted: 256 bits. */
  public static final int MIN_LENGTH = 32;

  private final byte[] bytes;

  private KeyMaterial(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies {@code bytes}; fails when shorter than {@link #MIN_LENGTH}. */
  public static KeyMaterial copyOf(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < MIN_LENGTH) {
      throw new InvalidKeyRingException("a key has " + bytes.length + " bytes; keys need at least "
          + MIN_LENGTH + " bytes (256 bits)");
    }
    return new KeyMaterial(bytes.clone());
  }

  /** 32 fresh bytes from {@code random}. */
  public static KeyMaterial generate(SecureRandom random) {
    byte[] b = new byte[MIN_LENGTH];
    random.nextBytes(b);
    return new KeyMaterial(b);
  }

  public int length() {
    return bytes.length;
  }

  /** A copy of the secret bytes. */
  public byte[] toByteArray(SecretAccess access) {
    Objects.requireNonNull(access, "access");
    return bytes.clone();
  }

  /** For this package only: no copy. Callers must not modify or keep the array. */
  byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyMaterial other && MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return bytes.length; // the content must not leak through hashing
  }

  @Override
  public String toString() {
    return "KeyMaterial[" + bytes.length + " bytes, redacted]";
  }

  void wipe() {
    Arrays.fill(bytes, (byte) 0);
  }
}
