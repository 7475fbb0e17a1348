package dev.portcullis.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.Provider;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A small lock-free pool of objects that are costly to make and that one thread at a time may use (message digests,
 * ciphers). Unsupported: for Portcullis' own modules.
 *
 * <p>A borrow takes an object out of a slot with a compare-and-set, starting from a slot chosen by the calling thread,
 * so that threads rarely meet; a release puts it back into the first empty slot from there, or drops it when every
 * slot is taken; an empty pool makes a new object. An object is only ever held by one thread between its borrow and
 * its release. Unlike a {@code ThreadLocal}, the shared slots stay small under virtual threads and keep nothing in a
 * container's threads once their owner is gone.
 *
 * <p><b>Per platform thread.</b> A pool made {@linkplain #ObjectPool(Supplier, Predicate) per thread} also keeps one
 * object for each platform thread that released one (in a {@code ThreadLocal}), and such a thread borrows that object
 * first. Even padded, the shared slots cost a cache-line transfer whenever the container serves one thread's next
 * request on the other core; over HTTP that made a pooled SHA-256 of a session id four times as costly as a digest kept
 * by the thread. Virtual threads (Java 21 and later) use the shared slots only, so that a million of them do not make
 * a million ciphers. Only objects whose classes, and the classes of everything they reference, come from the JDK may
 * be kept per thread, which the pool's owner checks for each object ({@link #fromJdk}): a container thread that
 * outlives the application then holds none of its classes. A cipher of a provider the application brought (Bouncy
 * Castle registered first, say) goes to the shared slots.
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

  /** Thread.isVirtual, which Java 17 does not have; null there. */
  private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

  private final AtomicReferenceArray<T> slots = new AtomicReferenceArray<>((SLOTS + 2) * STRIDE);
  private final Supplier<T> factory;
  /** Each platform thread's kept object, in a one-element array (a JDK type); null when not per thread. */
  private final ThreadLocal<Object[]> kept;
  /** Whether a thread may keep an object; null when not per thread. */
  private final Predicate<? super T> keepable;

  /** @param factory makes an object when the pool has none; it may throw, and the borrow then throws too */
  public ObjectPool(Supplier<T> factory) {
    this.factory = factory;
    this.kept = null;
    this.keepable = null;
  }

  /**
   * A pool in which each platform thread keeps one object.
   *
   * @param factory makes an object when the pool has none; it may throw, and the borrow then throws too
   * @param keepable whether a platform thread may keep the object: true only for objects made of JDK classes alone
   */
  public ObjectPool(Supplier<T> factory, Predicate<? super T> keepable) {
    this.factory = factory;
    this.kept = new ThreadLocal<>();
    this.keepable = keepable;
  }

  /** Whether {@code provider}, and so what it makes, was loaded by the JDK rather than by an application. */
  public static boolean fromJdk(Provider provider) {
    ClassLoader loader = provider.getClass().getClassLoader();
    return loader == null || loader == ClassLoader.getPlatformClassLoader();
  }

  /** An object for the calling thread alone, until it gives it to {@link #release} (or drops it). */
  @SuppressWarnings("unchecked") // only release puts a T into the kept array
  public T borrow() {
    if (kept != null && !isVirtual(Thread.currentThread())) {
      Object[] own = kept.get();
      if (own != null && own[0] != null) {
        T t = (T) own[0];
        own[0] = null; // borrowed twice before a release, the thread gets another one
        return t;
      }
    }
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
    if (kept != null && !isVirtual(Thread.currentThread())) {
      Object[] own = kept.get();
      if (own == null) {
        if (keepable.test(t)) {
          kept.set(new Object[] {t});
          return;
        }
      } else if (own[0] == null) {
        own[0] = t;
        return;
      }
    }
    int start = probe();
    for (int i = 0; i < SLOTS; i++) {
      int index = index(start + i);
      if (slots.get(index) == null && slots.compareAndSet(index, null, t)) {
        return;
      }
    }
  }

  /** Objects in the shared slots (not those kept by threads). */
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

  private static MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // before Java 21 every thread is a platform thread
    }
  }

  /** Whether {@code thread} is a virtual thread (Java 21 and later); always false on Java 17. */
  public static boolean isVirtual(Thread thread) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(thread);
    } catch (Throwable e) {
      throw new IllegalStateException("Thread.isVirtual failed", e);
    }
  }

  private static int probe() {
    int h = System.identityHashCode(Thread.currentThread());
    return h ^ (h >>> 16);
  }
}
