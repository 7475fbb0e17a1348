package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.session.SessionKey;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.testing.MutableClock;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What only a Redis Cluster asks of the stores: keys that one script touches share a slot (the cluster refuses a
 * script whose keys do not, which the contract tests on the cluster would meet), account links on one master, and a
 * start-up that fails when no node answers. {@link RedisClusterSessionStoreTest} spreads sessions over every master and
 * moves a session's slot.
 */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RedisCluster cluster;
  private final MutableClock clock = MutableClock.startingAt2026();
  private final String prefix = SharedRedis.freshPrefix();
  private final Keys keys = new Keys(prefix, clock, Duration.ZERO, true);
  private final List<RedisStores> opened = new ArrayList<>();

  RedisClusterTest(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @AfterEach
  void close() {
    opened.forEach(RedisStores::close);
  }

  private RedisStores connect(List<String> seeds) {
    RedisStores stores = RedisStores.connect(
        RedisStoreConfig.builder()
            .clusterNodes(seeds)
            .keyPrefix(prefix)
            .commandTimeout(SharedRedis.PATIENT)
            .build(),
        clock);
    opened.add(stores);
    return stores;
  }

  private long slot(String key) {
    return cluster.node(0).clusterKeyslot(key);
  }

  private static SessionKey newKey() {
    byte[] digest = new byte[32];
    RANDOM.nextBytes(digest);
    return SessionKey.fromBytes(digest);
  }

  @Test
  void theClusterRefusesAScriptWhoseKeysLieInTwoSlots_soTheContractTestsWouldCatchOne() {
    String a = prefix + "s:a";
    String b = prefix + "s:b";
    assertThat(slot(a)).isNotEqualTo(slot(b));

    assertThatThrownBy(() -> cluster
            .node(cluster.nodeOf((int) slot(a)))
            .eval("return redis.call('MGET', KEYS[1], KEYS[2])", ScriptOutputType.MULTI, a, b))
        .isInstanceOf(RedisCommandExecutionException.class)
        .hasMessageContaining("CROSSSLOT");
  }

  @Test
  void keysThatOneScriptTouches_shareASlot_andOtherFamiliesSpread() {
    // Linking, unlinking and unlinking all: an identity key and its user's hash, any users.
    assertThat(slot(keys.identity("https://idp.example", "sub-1")))
        .isEqualTo(slot(keys.linkedUser("u-alice")))
        .isEqualTo(slot(keys.identity("https://other.example", "sub-2")))
        .isEqualTo(slot(keys.linkedUser("u-bob")));
    // A user's session index and revocation cut-off: one tag, the user's hash.
    assertThat(slot(keys.sessionsOf("u-alice"))).isEqualTo(slot(keys.userCutOff("u-alice")));
    // Sessions, users and tickets are spread by their own hashes, not piled on one slot.
    Set<Long> sessionSlots = new HashSet<>();
    Set<Long> userSlots = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      sessionSlots.add(slot(keys.session(newKey().toBytes())));
      userSlots.add(slot(keys.sessionsOf("u-" + i)));
    }
    assertThat(sessionSlots).hasSizeGreaterThan(15);
    assertThat(userSlots).hasSizeGreaterThan(15);
  }

  @Test
  void accountLinks_liveOnOneMaster_andWorkFromAnySeed() {
    AccountLinkStore links = connect(List.of(cluster.uris().get(1))).accountLinkStore();
    for (int i = 0; i < 10; i++) {
      assertThat(links.link("https://idp.example", "sub-" + i, "u-" + (i % 3)))
          .isEqualTo(AccountLinkStore.LinkResult.LINKED);
    }
    int holding = 0;
    for (int node = 0; node < cluster.size(); node++) {
      if (!cluster.keysOn(node, prefix).isEmpty()) {
        holding++;
      }
    }
    assertThat(holding).isEqualTo(1);
    assertThat(links.unlinkAll("u-0")).isEqualTo(4);
    assertThat(links.userFor("https://idp.example", "sub-0")).isEmpty();
    assertThat(links.userFor("https://idp.example", "sub-1")).contains("u-1");
  }

  @Test
  void clusterThatCannotBeReached_failsAtStartUp() {
    assertThatThrownBy(() -> connect(List.of("redis://127.0.0.1:" + RedisServer.freePort())))
        .isInstanceOf(dev.portcullis.revocation.StoreUnavailableException.class)
        .hasMessageContaining("cluster");
  }
}
