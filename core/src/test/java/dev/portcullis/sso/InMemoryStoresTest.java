package dev.portcullis.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InMemoryStoresTest {
  @Nested
  class Replay extends ReplayStoreContract {
    private final MutableClock clock = MutableClock.startingAt2026();
    private final ReplayStore store = ReplayStore.inMemory(clock);

    @Override
    protected boolean expectSharedBetweenNodes() {
      return false;
    }

    @Override
    protected ReplayStore store() {
      return store;
    }

    @Override
    protected Instant now() {
      return clock.instant();
    }

    @Test
    void usedIds_areKeptUntilTheirKeepUntil_evenWeeksAhead_andForgottenAfter() {
      Instant keep = clock.instant().plus(Duration.ofDays(30));
      assertThat(store.markUsed("week-long", keep)).isTrue();
      clock.advance(Duration.ofDays(2));
      assertThat(store.markUsed("week-long", keep)).isFalse();
      clock.advance(Duration.ofDays(27));
      assertThat(store.markUsed("week-long", keep)).isFalse();
      clock.advance(Duration.ofDays(1).plusSeconds(1));
      assertThat(store.markUsed("week-long", keep)).as("past keepUntil").isTrue();
    }
  }

  @Nested
  class Links extends AccountLinkStoreContract {
    private final AccountLinkStore store = AccountLinkStore.inMemory();

    @Override
    protected boolean expectSharedBetweenNodes() {
      return false;
    }

    @Override
    protected AccountLinkStore store() {
      return store;
    }
  }
}
