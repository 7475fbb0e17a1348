package dev.portcullis.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of short ASCII values (session ids), for hashing on every request: digests are kept in a small lock-free
 * pool ({@link ObjectPool}) instead of being looked up among the security providers and allocated afresh each time,
 * which costs several times the hash itself. Unsupported: for Portcullis' own modules.
 *
 * <p>A digest is held by one thread between its borrow and its release; a digest whose use failed is dropped.
 */
public final class Sha256 {
  /** Longer values are hashed through a temporary buffer. */
  private static final int SCRATCH = 128;

  private static final ObjectPool<Slot> POOL = new ObjectPool<>(Slot::new);
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private Sha256() {}

  /**
   * SHA-256 over {@code prefix} followed by the characters of {@code ascii}, one byte each; a character outside ASCII
   * counts as {@code ?}, as {@code String.getBytes(US_ASCII)} would encode it.
   *
   * @param prefix bytes hashed first (a domain label), or null
   * @return the 32-byte digest, a fresh array
   */
  public static byte[] ofAscii(byte[] prefix, String ascii) {
    return ofAscii(prefix, ascii, Sha256::bytes);
  }

  /**
   * As {@link #ofAscii(byte[], String)}, handing the digest to {@code result} as four big-endian longs rather than
   * as an array, for callers that keep it in another form.
   */
  public static <T> T ofAscii(byte[] prefix, String ascii, Digest<T> result) {
    Slot slot = POOL.borrow();
    MessageDigest sha = slot.sha;
    int n = ascii.length();
    byte[] bytes = n <= SCRATCH ? slot.scratch : new byte[n];
    for (int i = 0; i < n; i++) {
      char c = ascii.charAt(i);
      bytes[i] = c < 0x80 ? (byte) c : (byte) '?';
    }
    if (prefix != null) {
      sha.update(prefix);
    }
    sha.update(bytes, 0, n);
    byte[] out = slot.digest;
    try {
      sha.digest(out, 0, out.length); // also resets the digest for its next use
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 gives 32 bytes", e);
    }
    T value = result.of(
        (long) LONGS.get(out, 0), (long) LONGS.get(out, 8), (long) LONGS.get(out, 16), (long)
            LONGS.get(out, 24));
    POOL.release(slot);
    return value;
  }

  /** What to make of a digest, given as its four big-endian longs. */
  @FunctionalInterface
  public interface Digest<T> {
    T of(long a, long b, long c, long d);
  }

  private static byte[] bytes(long a, long b, long c, long d) {
    byte[] out = new byte[32];
    LONGS.set(out, 0, a);
    LONGS.set(out, 8, b);
    LONGS.set(out, 16, c);
    LONGS.set(out, 24, d);
    return out;
  }

  private static final class Slot {
    final MessageDigest sha;
    final byte[] scratch = new byte[SCRATCH];
    final byte[] digest = new byte[32];

    Slot() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every Java platform", e);
      }
    }
  }
}
