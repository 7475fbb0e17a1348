package dev.portcullis.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of short ASCII values (session ids), for hashing on every request: digests are kept, one per platform thread
 * and the rest in a small lock-free pool ({@link ObjectPool}), instead of being looked up among the security providers
 * and allocated afresh each time, which costs several times the hash itself. Unsupported: for Portcullis' own modules.
 *
 * <p>A digest is held by one thread between its borrow and its release; a digest whose use failed is dropped.
 */
public final class Sha256 {
  /** Longer values are hashed through a temporary buffer. */
  private static final int SCRATCH = 128;

  /**
   * A pooled digest with its buffers: {@code {MessageDigest, byte[SCRATCH + 32]}} (the value's characters, then the
   * digest). An array of JDK types rather than a class of this library's, so that a container thread may keep one.
   */
  private static final ObjectPool<Object[]> POOL =
      new ObjectPool<>(Sha256::newSlot, slot -> ObjectPool.fromJdk(digest(slot).getProvider()));

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
    Object[] slot = POOL.borrow();
    MessageDigest sha = digest(slot);
    byte[] buffer = (byte[]) slot[1];
    int n = ascii.length();
    byte[] bytes = n <= SCRATCH ? buffer : new byte[n];
    for (int i = 0; i < n; i++) {
      char c = ascii.charAt(i);
      bytes[i] = c < 0x80 ? (byte) c : (byte) '?';
    }
    if (prefix != null) {
      sha.update(prefix);
    }
    sha.update(bytes, 0, n);
    try {
      sha.digest(buffer, SCRATCH, 32); // also resets the digest for its next use
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 gives 32 bytes", e);
    }
    T value = result.of(
        (long) LONGS.get(buffer, SCRATCH),
        (long) LONGS.get(buffer, SCRATCH + 8),
        (long) LONGS.get(buffer, SCRATCH + 16),
        (long) LONGS.get(buffer, SCRATCH + 24));
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

  private static MessageDigest digest(Object[] slot) {
    return (MessageDigest) slot[0];
  }

  private static Object[] newSlot() {
    try {
      return new Object[] {MessageDigest.getInstance("SHA-256"), new byte[SCRATCH + 32]};
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
