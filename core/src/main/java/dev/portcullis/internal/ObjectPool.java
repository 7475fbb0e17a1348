package dev.portcullis.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A small lock-free pool of objects that are costly to make and that one thread at a time may use (message digests,
 * ciphers). Unsupported: for Portcullis' own modules.
 *
 * <p>A borrow takes an object out of a slot with a compare-and-set, starting from a slot chosen by the calling thread,
 * so that threads rarely meet; a release puts it back into the first empty slot from there, or drops it when every
 * slot is taken; an empty pool makes a new object. An object is only ever held by one thread between its borrow and
 * its release. Unlike a {@code ThreadLocal}, the pool stays small under virtual threads and keeps nothing in a
 * container's threads once its owner is gone.
 *
 * <p><b>Layout.</b> Each slot has a cache line to itself, with padding before the first and after the last: a thread
 * borrows from and releases to its own slot, and two cores each using their own slot then never write to one line.
 * With the slots side by side (16 references fill one 64-byte line), every borrow and release moved that line between
 * the cores serving two requests, and reading a slot cost more than the SHA-256 it guarded.
 */
public final class ObjectPool<T> {
  private static final int SLOTS = 16; // a power of two
  /** Array elements from one slot to the next: 128 bytes or more, which also covers adjacent-line prefetching. */
  static final int STRIDE = 32;

  private final AtomicReferenceArray<T> slots = new AtomicReferenceArray<>((SLOTS + 2) * STRIDE);
  private final Supplier<T> factory;

  /** @param factory makes an object when the pool has none; it may throw, and the borrow then throws too */
  public ObjectPool(Supplier<T> factory) {
    this.factory = factory;
  }

  /** An object for the calling thread alone, until it gives it to {@link #release} (or drops it). */
  public T borrow() {
    int start = probe();
    for (int i = 0; i < SLOTS; i++) {
      int index = index(start + i);
      T t = slots.get(index);
      if (t != null && slots.compareAndSet(index, t, null)) {
        return t;
      }
    }
    return factory.get();
  }

  /** Returns an object in a usable state; one whose last use failed must be dropped instead. */
  public void release(T t) {
    int start = probe();
    for (int i = 0; i < SLOTS; i++) {
      int index = index(start + i);
      if (slots.get(index) == null && slots.compareAndSet(index, null, t)) {
        return;
      }
    }
  }

  /** Objects currently pooled. */
  public int size() {
    int n = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (slots.get(index(i)) != null) {
        n++;
      }
    }
    return n;
  }

  /** The array index of slot {@code slot} (taken modulo the number of slots): past a stride of padding. */
  static int index(int slot) {
    return ((slot & (SLOTS - 1)) + 1) * STRIDE;
  }

  private static int probe() {
    int h = System.identityHashCode(Thread.currentThread());
    return h ^ (h >>> 16);
  }
}
