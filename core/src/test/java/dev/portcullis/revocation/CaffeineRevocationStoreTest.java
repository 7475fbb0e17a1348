package dev.portcullis.revocation;

import dev.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;

class CaffeineRevocationStoreTest extends RevocationStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final RevocationStore store = RevocationStore.inMemory(clock);

  @Override
  protected RevocationStore store() {
    return store;
  }

  @Override
  protected Instant now() {
    return clock.instant();
  }

  @Override
  protected void advance(Duration by) {
    clock.advance(by);
  }
}
