package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.SessionStore;
import dev.portcullis.session.SessionStoreContractTest;
import dev.portcullis.testing.MutableClock;
import io.lettuce.core.RedisCommandExecutionException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The session contract on a real three-master Redis Cluster, where rotation, the user index and the deletion of a
 * user's sessions are split into single-slot calls; racing rotations against a deletion included. Besides: sessions
 * spread over every master, and a session stays readable when its slot moves to another master under a client that
 * still knows the old layout ({@code MOVED}).
 */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterSessionStoreTest extends SessionStoreContractTest {
  private static final SessionConfig SESSIONS = SessionConfig.builder()
      .idleTimeout(Duration.ofMinutes(30))
      .absoluteTimeout(Duration.ofHours(8))
      .maxSessions(10_000)
      .build();

  private final RedisCluster cluster;
  private final MutableClock clock = MutableClock.startingAt2026();
  private final String prefix = SharedRedis.freshPrefix();
  private final Keys keys = new Keys(prefix, clock, Duration.ZERO, true);
  private final List<RedisStores> opened = new ArrayList<>();
  private RedisStores redis;

  RedisClusterSessionStoreTest(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  protected SessionStore createStore(SessionConfig config, InstantSource clock) {
    if (redis != null) {
      redis.close();
    }
    redis = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .keyPrefix(SharedRedis.freshPrefix())
            .build(),
        clock);
    return redis.sessionStore(config);
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @AfterEach
  void closeRedis() {
    redis.close();
    opened.forEach(RedisStores::close);
  }

  private RedisStores connect(List<String> seeds) {
    RedisStores stores = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .clusterNodes(seeds)
            .keyPrefix(prefix)
            .build(),
        clock);
    opened.add(stores);
    return stores;
  }

  private long slot(String key) {
    return cluster.node(0).clusterKeyslot(key);
  }

  @Test
  public void sessionsAndRevocations_spreadOverEveryMaster_andAreReadBackThroughAnotherNodesSeed() {
    RedisStores writer = connect(List.of(cluster.uris().get(0)));
    SessionStore sessions = writer.sessionStore(SESSIONS);
    RevocationStore revocations = writer.revocationStore();
    List<SessionKey> written = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      SessionKey key = newKey();
      assertThat(sessions.save(key, creation(Map.of("theme", "dark")))).isTrue();
      assertThat(sessions.save(key, login("u-" + (i % 10)))).isTrue();
      written.add(key);
      revocations.revoke("t-" + i, clock.instant().plus(Duration.ofHours(1)));
    }

    for (int node = 0; node < cluster.size(); node++) {
      assertThat(cluster.keysOn(node, prefix)).as("keys on master %d", node).isNotEmpty();
    }
    SessionStore reader = connect(List.of(cluster.uris().get(2))).sessionStore(SESSIONS);
    for (SessionKey key : written) {
      assertThat(reader.load(key)).isPresent();
    }
    assertThat(reader.findByUser("u-3")).hasSize(3);
    assertThat(reader.deleteByUser("u-3")).isEqualTo(3);
    assertThat(sessions.findByUser("u-3")).isEmpty();
  }

  @Test
  public void sessionWrittenThroughOneNode_isReadAfterItsSlotMoved_byFollowingTheRedirect() {
    RedisStores stores = connect(List.of(cluster.uris().get(0)));
    SessionStore sessions = stores.sessionStore(SESSIONS);
    SessionKey key = newKey();
    assertThat(sessions.save(key, creation(Map.of("theme", "dark")))).isTrue();
    assertThat(sessions.save(key, login("u-moved"))).isTrue();
    String name = keys.session(key.toBytes());
    int slot = (int) slot(name);
    int from = cluster.nodeOf(slot);
    int to = (from + 1) % cluster.size();

    cluster.moveSlot(slot, to);

    // The old master now redirects; the stores' client still has the old layout and follows.
    assertThatThrownBy(() -> cluster.node(from).hget(name, "c"))
        .isInstanceOf(RedisCommandExecutionException.class)
        .hasMessageContaining("MOVED");
    assertThat(cluster.node(to).exists(name)).isEqualTo(1);
    assertThat(sessions.load(key).orElseThrow().userHandle()).contains("u-moved");
    assertThat(sessions.save(key, puts(Map.of("k", "v")))).isTrue();
    assertThat(sessions.load(key).orElseThrow().attributes()).containsEntry("k", "v");
    assertThat(sessions.findByUser("u-moved")).containsExactly(key);
  }
}
