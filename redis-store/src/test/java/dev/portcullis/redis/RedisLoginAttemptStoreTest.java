package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginAttemptStoreContract;
import dev.portcullis.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The login-attempt contract on a real Redis, with two connections standing for two nodes. The store decides by its
 * injected clock (slot times and known-until instants are stored), so moving the {@link MutableClock} is an honest
 * {@code advance}.
 */
@ExtendWith(SharedRedis.class)
class RedisLoginAttemptStoreTest extends LoginAttemptStoreContract {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final String prefix = SharedRedis.freshPrefix();
  private final RedisInspector inspector;
  private final RedisStores nodeA;
  private final RedisStores nodeB;
  private final LoginAttemptStore store;

  RedisLoginAttemptStoreTest(RedisServer server) {
    RedisStoreConfig config =
        SharedRedis.patientConfig(server).keyPrefix(prefix).build();
    inspector = new RedisInspector(server);
    nodeA = RedisStores.connect(config, clock);
    nodeB = RedisStores.connect(config, clock);
    store = nodeA.loginAttemptStore();
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
    inspector.close();
  }

  @Override
  protected LoginAttemptStore store() {
    return store;
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @Override
  protected LoginAttemptStore sameStoreOnAnotherNode() {
    return nodeB.loginAttemptStore();
  }

  @Override
  protected void advance(Duration by) {
    clock.advance(by);
  }

  @Test
  void keys_areHashesUnderThePrefix_andEndWithTheirWindow() {
    store.reserve("a:budget-AAAAAAAA", 7, 10, Duration.ofMinutes(30));
    store.rememberAddress("k:known-BBBBBBBB", Duration.ofDays(30));
    List<String> keys = inspector.keys(prefix);
    assertThat(keys)
        .hasSize(2)
        .noneMatch(k -> k.contains("AAAAAAAA") || k.contains("BBBBBBBB"))
        .allMatch(k -> k.matches("\\Q" + prefix + "\\Ela:[bk]:[A-Za-z0-9_-]{43}"));
    Keys names = new Keys(prefix, clock, Duration.ZERO);
    long budgetTtl = inspector.commands().pttl(names.loginBudget("a:budget-AAAAAAAA"));
    long knownTtl = inspector.commands().pttl(names.knownAddress("k:known-BBBBBBBB"));
    // Kept one window (or the known time) plus the default clock skew (30 s), not forever.
    assertThat(budgetTtl)
        .isPositive()
        .isLessThanOrEqualTo(Duration.ofMinutes(30).plusSeconds(30).toMillis());
    assertThat(knownTtl)
        .isGreaterThan(Duration.ofDays(29).toMillis())
        .isLessThanOrEqualTo(Duration.ofDays(30).plusSeconds(30).toMillis());
  }
}
