package dev.portcullis.login;

import dev.portcullis.testing.MutableClock;
import java.time.Duration;

/** The login-attempt contract on the in-memory store, with a fake clock. */
class InMemoryLoginAttemptStoreTest extends LoginAttemptStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final LoginAttemptStore store = LoginAttemptStore.inMemory(clock);

  @Override
  protected LoginAttemptStore store() {
    return store;
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return false;
  }

  @Override
  protected void advance(Duration by) {
    clock.advance(by);
  }
}
