package dev.portcullis.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

class CipherPoolTest {
  private final CipherPool pool = new CipherPool();

  @Test
  void releasedCipher_isBorrowedAgain_andAnEmptyPoolMakesANewOne() {
    Cipher first = pool.borrow();
    pool.release(first);
    assertThat(pool.size()).as("the JDK's cipher is kept by this thread").isZero();
    assertThat(pool.borrow()).isSameAs(first);
    assertThat(pool.borrow()).isNotSameAs(first).isNotNull();
  }

  @Test
  void fullPool_dropsWhatIsReleased_pastTheOneThisThreadKeeps() {
    List<Cipher> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(pool.borrow());
    }
    many.forEach(pool::release);
    assertThat(pool.size()).isEqualTo(16);
  }

  @Test
  void concurrentBorrowers_neverHoldTheSameCipher() throws Exception {
    Set<Cipher> held =
        Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> clashes = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        clashes.add(executor.submit(() -> {
          start.await();
          int clash = 0;
          for (int i = 0; i < 20_000; i++) {
            // Two at a time: the first is usually the one the thread keeps, the second comes
            // from the shared slots, which the threads then meet in.
            Cipher c = pool.borrow();
            Cipher d = pool.borrow();
            if (!held.add(c) || !held.add(d)) {
              clash++;
            }
            Thread.yield();
            held.remove(c);
            held.remove(d);
            pool.release(d);
            pool.release(c);
          }
          return clash;
        }));
      }
      start.countDown();
      for (Future<Integer> f : clashes) {
        assertThat(f.get()).as("a cipher handed to two threads at once").isZero();
      }
    } finally {
      executor.shutdownNow();
    }
    assertThat(pool.size()).isBetween(1, 16);
  }
}
