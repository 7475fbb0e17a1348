package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.AccountLinkStore.LinkedIdentity;
import dev.portcullis.sso.AccountLinkStoreContract;
import dev.portcullis.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The account-link contract on a real Redis, and what only the Redis store has to get right. */
@ExtendWith(SharedRedis.class)
class RedisAccountLinkStoreTest extends AccountLinkStoreContract {
  private final RedisStores redis;
  private final AccountLinkStore store;
  private final RedisInspector inspector;
  private final String prefix = SharedRedis.freshPrefix();

  RedisAccountLinkStoreTest(RedisServer server) {
    redis = RedisStores.connect(
        SharedRedis.patientConfig(server).keyPrefix(prefix).build(), MutableClock.startingAt2026());
    store = redis.accountLinkStore();
    inspector = new RedisInspector(server);
  }

  @AfterEach
  void close() {
    inspector.close();
    redis.close();
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @Override
  protected AccountLinkStore store() {
    return store;
  }

  @Test
  void keys_nameNoIssuerSubjectOrUser() {
    store.link("https://idp.example", "sub-secret", "u-alice");
    assertThat(inspector.keys(prefix))
        .hasSize(2)
        .allSatisfy(k -> assertThat(k)
            .doesNotContain("idp.example")
            .doesNotContain("sub-secret")
            .doesNotContain("u-alice"));
  }

  @Test
  void userMarkerOfAnEarlierVersion_stillCounts_andIsReplacedByASetOnTheNextLink() {
    String marker = prefix + "al:u:" + Keys.hash("user", "u-old");
    inspector.commands().set(marker, "1");
    assertThat(store.isLinked("u-old")).isTrue();
    assertThat(store.linksOf("u-old")).isEmpty();
    assertThat(store.link("https://idp.example", "sub-new", "u-old"))
        .isEqualTo(AccountLinkStore.LinkResult.LINKED);
    assertThat(store.linksOf("u-old"))
        .containsExactly(new LinkedIdentity("https://idp.example", "sub-new"));
    assertThat(store.unlinkAll("u-old")).isEqualTo(1);
    assertThat(store.isLinked("u-old")).isFalse();
  }

  /** Links arriving while every link of the user is removed: each identity and the user's set still agree. */
  @Test
  void concurrentLinksAndUnlinkAll_leaveIdentitiesAndTheUsersSetInAgreement() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int thread = t;
        work.add(pool.submit(() -> {
          for (int i = 0; i < 40; i++) {
            store.link("https://idp.example", "sub-" + thread + "-" + i, "u-alice");
          }
        }));
      }
      work.add(pool.submit(() -> {
        for (int i = 0; i < 20; i++) {
          store.unlinkAll("u-alice");
        }
      }));
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<LinkedIdentity> listed = store.linksOf("u-alice");
    for (int t = 0; t < 3; t++) {
      for (int i = 0; i < 40; i++) {
        LinkedIdentity id = new LinkedIdentity("https://idp.example", "sub-" + t + "-" + i);
        assertThat(store.userFor(id.issuer(), id.subject()).isPresent())
            .as(id.toString())
            .isEqualTo(listed.contains(id));
      }
    }
    store.unlinkAll("u-alice");
    assertThat(store.isLinked("u-alice")).isFalse();
    assertThat(inspector.keys(prefix)).isEmpty();
  }
}
