package dev.portcullis.revocation;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * How many of a cache's keys fall in each slot of their hash: a slot at zero means that no key with that hash is
 * held, so the cache need not be asked (nor the key made). A counting filter, without false negatives as long as a
 * key is counted before it is put and uncounted only after its entry is gone.
 *
 * <p>A count is raised before each insertion and lowered once for each entry the cache removes, replaces or expires,
 * so it is never below the number of held keys in its slot; a removal reported late only keeps it high a little
 * longer, which costs a lookup and not an answer.
 */
final class HeldKeyCounts {
  /** 65,536 slots (256 KB): with a few thousand live revocations most checks still find their slot at zero. */
  private static final int SLOTS = 1 << 16;

  private final AtomicIntegerArray counts = new AtomicIntegerArray(SLOTS);

  /** Call before putting a key with this hash. */
  void adding(int hash) {
    counts.incrementAndGet(slot(hash));
  }

  /** Call once the cache has dropped an entry whose key has this hash. */
  void removed(int hash) {
    counts.decrementAndGet(slot(hash));
  }

  /** False when no held key has this hash. */
  boolean mayHold(int hash) {
    return counts.get(slot(hash)) != 0;
  }

  private static int slot(int hash) {
    return (hash ^ (hash >>> 16)) & (SLOTS - 1);
  }
}
