package dev.portcullis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ObjectPoolTest {
  @Test
  void everySlot_hasItsOwnCacheLines_withPaddingBeforeTheFirstAndAfterTheLast() {
    TreeSet<Integer> indexes = new TreeSet<>();
    for (int slot = 0; slot < 16; slot++) {
      indexes.add(ObjectPool.index(slot));
    }
    assertThat(indexes).hasSize(16);
    assertThat(ObjectPool.index(16)).as("slots wrap around").isEqualTo(ObjectPool.index(0));
    // 32 references are at least 128 bytes: two 64-byte lines, the pair an adjacent-line
    // prefetcher fetches together.
    assertThat(ObjectPool.STRIDE).isGreaterThanOrEqualTo(32);
    assertThat(indexes.first()).as("padding after the array's header").isGreaterThanOrEqualTo(32);
    Integer previous = null;
    for (int index : indexes) {
      if (previous != null) {
        assertThat(index - previous).isGreaterThanOrEqualTo(ObjectPool.STRIDE);
      }
      previous = index;
    }
    assertThat(indexes.last() + ObjectPool.STRIDE)
        .as("padding before the array ends")
        .isLessThan(18 * ObjectPool.STRIDE);
  }

  @Test
  void released_isBorrowedAgain_emptyMakesNew_fullDrops() {
    AtomicInteger made = new AtomicInteger();
    ObjectPool<Object> pool = new ObjectPool<>(() -> {
      made.incrementAndGet();
      return new Object();
    });
    Object first = pool.borrow();
    pool.release(first);
    assertThat(pool.size()).isEqualTo(1);
    assertThat(pool.borrow()).isSameAs(first);
    assertThat(pool.borrow()).isNotSameAs(first);
    assertThat(made).hasValue(2);

    List<Object> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(pool.borrow());
    }
    many.forEach(pool::release);
    assertThat(pool.size()).isEqualTo(16);
  }

  @Test
  void aFactoryThatFails_failsTheBorrow() {
    ObjectPool<Object> pool = new ObjectPool<>(() -> {
      throw new IllegalStateException("no such algorithm");
    });
    assertThatThrownBy(pool::borrow).hasMessage("no such algorithm");
    assertThat(pool.size()).isZero();
  }

  @Test
  void perThread_eachPlatformThreadBorrowsWhatItReleased_andNoOtherThreadGetsIt() throws Exception {
    AtomicInteger made = new AtomicInteger();
    ObjectPool<Object> pool = new ObjectPool<>(
        () -> {
          made.incrementAndGet();
          return new Object();
        },
        o -> true);
    Object mine = pool.borrow();
    pool.release(mine);
    assertThat(pool.size()).as("kept by this thread, not in the shared slots").isZero();
    assertThat(pool.borrow()).isSameAs(mine);
    pool.release(mine);

    AtomicReference<Object> theirs = new AtomicReference<>();
    Thread other = new Thread(() -> {
      Object o = pool.borrow();
      theirs.set(o);
      pool.release(o);
      theirs.compareAndSet(o, pool.borrow() == o ? o : null);
    });
    other.start();
    other.join();
    assertThat(theirs.get()).as("the other thread kept and got back its own").isNotNull();
    assertThat(theirs.get()).isNotSameAs(mine);
    assertThat(made).hasValue(2);
    assertThat(pool.borrow()).as("still this thread's").isSameAs(mine);
  }

  @Test
  void perThread_aSecondBorrowBeforeTheRelease_getsAnotherObject_andTheSpareGoesToTheSlots() {
    ObjectPool<Object> pool = new ObjectPool<>(Object::new, o -> true);
    Object outer = pool.borrow();
    Object inner = pool.borrow();
    assertThat(inner).isNotSameAs(outer);
    pool.release(inner);
    pool.release(outer);
    assertThat(pool.size()).as("one kept by the thread, the other shared").isEqualTo(1);
    assertThat(pool.borrow()).isSameAs(inner);
    assertThat(pool.borrow()).isSameAs(outer);
  }

  @Test
  void perThread_anObjectItMayNotKeep_goesToTheSharedSlots() {
    ObjectPool<Object> pool = new ObjectPool<>(Object::new, o -> false);
    Object o = pool.borrow();
    pool.release(o);
    assertThat(pool.size()).isEqualTo(1);
    assertThat(pool.borrow()).isSameAs(o);
  }

  @Test
  void perThread_virtualThreadsUseTheSharedSlotsOnly() throws Exception {
    Method start;
    try {
      start = Thread.class.getMethod("startVirtualThread", Runnable.class);
    } catch (NoSuchMethodException e) {
      Assumptions.abort(
          "virtual threads need Java 21 or later; the JDK 25 line of CI runs this test");
      return;
    }
    ObjectPool<Object> pool = new ObjectPool<>(Object::new, o -> true);
    AtomicReference<Object> released = new AtomicReference<>();
    Thread virtual = (Thread) start.invoke(null, (Runnable) () -> {
      Object o = pool.borrow();
      released.set(o);
      pool.release(o);
    });
    virtual.join();
    assertThat(pool.size()).as("what a virtual thread releases is shared").isEqualTo(1);
    assertThat(pool.borrow()).isSameAs(released.get());
  }

  @Test
  void fromJdk_tellsTheJdksProvidersFromAnApplicationsOwn() throws Exception {
    assertThat(ObjectPool.fromJdk(Cipher.getInstance("AES/GCM/NoPadding").getProvider()))
        .isTrue();
    assertThat(ObjectPool.fromJdk(new ApplicationProvider())).isFalse();
  }

  private static final class ApplicationProvider extends Provider {
    private static final long serialVersionUID = 1L;

    ApplicationProvider() {
      super("ApplicationProvider", "1", "a provider on the application's class path");
    }
  }
}
