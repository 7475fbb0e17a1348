package dev.portcullis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
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
}
