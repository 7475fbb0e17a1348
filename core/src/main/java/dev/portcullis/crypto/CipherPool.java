package dev.portcullis.crypto;

import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.Cipher;

/**
 * A small lock-free pool of AES-GCM {@link Cipher}s for one direction of one {@link Sealer}.
 *
 * <p>{@code Cipher.getInstance} costs several times a whole seal, and a {@code Cipher} is not thread-safe. A borrow
 * takes a cipher out of one slot with a compare-and-set (starting from a slot chosen by the calling thread, so
 * threads rarely meet); a release puts it into an empty slot or drops it when every slot is taken. A cipher is only
 * ever held by one thread between its borrow and its release.
 */
final class CipherPool {
  private static final int SLOTS = 16; // a power of two
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final AtomicReferenceArray<Cipher> slots = new AtomicReferenceArray<>(SLOTS);

  Cipher borrow() {
    int start = probe();
    for (int i = 0; i < SLOTS; i++) {
      int slot = (start + i) & (SLOTS - 1);
      Cipher c = slots.get(slot);
      if (c != null && slots.compareAndSet(slot, c, null)) {
        return c;
      }
    }
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(TRANSFORMATION + " is not available in this JDK", e);
    }
  }

  /** Returns a cipher that is in a usable state; a cipher whose last operation failed must not come back. */
  void release(Cipher cipher) {
    int start = probe();
    for (int i = 0; i < SLOTS; i++) {
      int slot = (start + i) & (SLOTS - 1);
      if (slots.get(slot) == null && slots.compareAndSet(slot, null, cipher)) {
        return;
      }
    }
  }

  /** Ciphers currently pooled. */
  int size() {
    int n = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (slots.get(i) != null) {
        n++;
      }
    }
    return n;
  }

  private static int probe() {
    int h = System.identityHashCode(Thread.currentThread());
    return h ^ (h >>> 16);
  }
}
