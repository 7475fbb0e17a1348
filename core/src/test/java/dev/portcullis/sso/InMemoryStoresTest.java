package dev.portcullis.sso;

import dev.portcullis.testing.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.Nested;

class InMemoryStoresTest {
  @Nested
  class Replay extends ReplayStoreContract {
    private final MutableClock clock = MutableClock.startingAt2026();
    private final ReplayStore store = ReplayStore.inMemory(clock);

    @Override
    protected ReplayStore store() {
      return store;
    }

    @Override
    protected Instant now() {
      return clock.instant();
    }
  }

  @Nested
  class Links extends AccountLinkStoreContract {
    private final AccountLinkStore store = AccountLinkStore.inMemory();

    @Override
    protected AccountLinkStore store() {
      return store;
    }
  }
}
