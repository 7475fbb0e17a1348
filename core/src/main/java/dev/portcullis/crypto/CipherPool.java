package dev.portcullis.crypto;

import dev.portcullis.internal.ObjectPool;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * AES-GCM {@link Cipher}s for one direction of one {@link Sealer}: one per platform thread and a small lock-free pool
 * ({@link ObjectPool}).
 * {@code Cipher.getInstance} costs several times a whole seal, and a {@code Cipher} is not thread-safe.
 */
final class CipherPool {
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final ObjectPool<Cipher> pool =
      new ObjectPool<>(CipherPool::newCipher, cipher -> ObjectPool.fromJdk(cipher.getProvider()));

  Cipher borrow() {
    return pool.borrow();
  }

  /** Returns a cipher that is in a usable state; a cipher whose last operation failed must not come back. */
  void release(Cipher cipher) {
    pool.release(cipher);
  }

  /** Ciphers in the shared slots (not those kept by threads). */
  int size() {
    return pool.size();
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(TRANSFORMATION + " is not available in this JDK", e);
    }
  }
}
