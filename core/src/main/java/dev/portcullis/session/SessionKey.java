package dev.portcullis.session;

import dev.portcullis.internal.Sha256;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * What a {@link SessionStore} files a session under: the SHA-256 of its {@link SessionId}. Held as four longs so that
 * a million idle sessions stay small.
 *
 * <p><b>Security.</b> A store dump or log line holding keys does not reveal a usable cookie: the id cannot be recovered
 * from its hash. {@link #toString()} still shows only a short prefix, enough to correlate log lines.
 */
public final class SessionKey {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final long a;
  private final long b;
  private final long c;
  private final long d;

  private SessionKey(long a, long b, long c, long d) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  static SessionKey of(SessionId id) {
    return Sha256.ofAscii(null, id.cookieValue(), SessionKey::new);
  }

  /**
   * The key from its 32 bytes, as a store that keeps bytes reads it back.
   *
   * @throws IllegalArgumentException when {@code digest} is not 32 bytes long
   */
  public static SessionKey fromBytes(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("a session key is 32 bytes");
    }
    return new SessionKey(
        (long) LONGS.get(digest, 0),
        (long) LONGS.get(digest, 8),
        (long) LONGS.get(digest, 16),
        (long) LONGS.get(digest, 24));
  }

  /** The 32 bytes of the key, for stores that keep bytes. A fresh copy each call. */
  public byte[] toBytes() {
    byte[] out = new byte[32];
    LONGS.set(out, 0, a);
    LONGS.set(out, 8, b);
    LONGS.set(out, 16, c);
    LONGS.set(out, 24, d);
    return out;
  }

  /**
   * Whether the key's first {@code prefix.length} bytes (at most 32) are {@code prefix}, compared in time that depends
   * only on the length: how an auth ticket's session binding is checked.
   */
  public boolean startsWith(byte[] prefix) {
    return startsWith(prefix, 0, prefix.length);
  }

  /**
   * {@link #startsWith(byte[])} for the {@code length} bytes of {@code bytes} from {@code from}, without copying them
   * out: an auth ticket keeps its binding inside the decoded cookie's bytes.
   *
   * @throws IndexOutOfBoundsException when the range is not inside {@code bytes}
   */
  public boolean startsWith(byte[] bytes, int from, int length) {
    java.util.Objects.checkFromIndexSize(from, length, bytes.length);
    if (length > 32) {
      return false;
    }
    int diff = 0;
    for (int i = 0; i < length; i++) {
      long word = i < 8 ? a : i < 16 ? b : i < 24 ? c : d;
      diff |= ((byte) (word >>> (56 - 8 * (i & 7)))) ^ bytes[from + i];
    }
    return diff == 0;
  }

  @Override
  public boolean equals(Object o) {
    // No early exit: the comparison takes the same time whichever long differs.
    return o instanceof SessionKey k && ((a ^ k.a) | (b ^ k.b) | (c ^ k.c) | (d ^ k.d)) == 0;
  }

  @Override
  public int hashCode() {
    return (int) (a ^ (a >>> 32));
  }

  @Override
  public String toString() {
    return "SessionKey[" + String.format(java.util.Locale.ROOT, "%08x", (int) (a >>> 32)) + "...]";
  }
}
