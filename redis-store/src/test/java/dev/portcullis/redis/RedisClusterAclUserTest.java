package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionStore;
import dev.portcullis.session.SessionStoreContractTest;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.testing.MutableClock;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ACL user of docs/operations.md ("Redis: what an operator sets") on a real three-master Redis Cluster: the
 * commands the stores send ({@link RedisOperatorSetupTest#STORE_COMMANDS}) and {@code +cluster|nodes}, with which the
 * client reads the slot layout, limited to the portal's key prefix. The session contract runs through such a user, and
 * so do the revocation, replay, login-attempt and account-link stores; without {@code +cluster|nodes} the client
 * cannot learn the layout, and start-up stops.
 */
@ExtendWith(SharedRedisCluster.class)
class RedisClusterAclUserTest extends SessionStoreContractTest {
  /** The documented line's commands on a cluster. */
  static final String CLUSTER_STORE_COMMANDS =
      RedisOperatorSetupTest.STORE_COMMANDS + " +cluster|nodes";

  private static final AtomicInteger USERS = new AtomicInteger();

  private final RedisCluster cluster;
  private final MutableClock clock = MutableClock.startingAt2026();
  private final List<RedisStores> opened = new ArrayList<>();
  /** This test's ACL user, its password, and the key prefix it may touch. */
  private final String user = "portal-acl-" + USERS.incrementAndGet();

  private final String password = "acl-Pw-" + user;
  private final String prefix = SharedRedis.freshPrefix();
  private final AtomicInteger stores = new AtomicInteger();

  RedisClusterAclUserTest(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @AfterEach
  void closeAndRemoveTheUser() {
    opened.forEach(RedisStores::close);
    for (int i = 0; i < cluster.size(); i++) {
      cluster
          .node(i)
          .dispatch(
              CommandType.ACL,
              new IntegerOutput<>(StringCodec.UTF8),
              new CommandArgs<>(StringCodec.UTF8).add("DELUSER").add(user));
    }
  }

  private void acl(int node, String... args) {
    CommandArgs<String, String> arguments = new CommandArgs<>(StringCodec.UTF8);
    for (String arg : args) {
      arguments.add(arg);
    }
    cluster.node(node).dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), arguments);
  }

  /** Creates this test's user on every master with {@code commands}, as the operator's ACL line does. */
  private void createUser(String commands) {
    List<String> rule = new ArrayList<>(List.of(
        "SETUSER", user, "on", ">" + password, "resetkeys", "~" + prefix + "*", "resetchannels"));
    rule.addAll(List.of(commands.split(" ")));
    for (int i = 0; i < cluster.size(); i++) {
      acl(i, rule.toArray(String[]::new));
    }
  }

  /** The seeds with this test's user in each URI. */
  private List<String> seedsAsUser() {
    return cluster.uris().stream()
        .map(uri -> uri.replace("redis://", "redis://" + user + ":" + password + "@"))
        .toList();
  }

  private RedisStores connectAsUser(String keyPrefix) {
    RedisStores redis = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .clusterNodes(seedsAsUser())
            .keyPrefix(keyPrefix)
            .build(),
        clock);
    opened.add(redis);
    return redis;
  }

  @Override
  protected SessionStore createStore(SessionConfig config, InstantSource clock) {
    if (stores.get() == 0) {
      createUser(CLUSTER_STORE_COMMANDS);
    }
    // Each store its own prefix inside the user's, as the contract expects a fresh store.
    RedisStores redis = RedisStores.connect(
        SharedRedisCluster.patientConfig(cluster)
            .clusterNodes(seedsAsUser())
            .keyPrefix(prefix + stores.incrementAndGet() + ":")
            .build(),
        clock);
    opened.add(redis);
    return redis.sessionStore(config);
  }

  @Override
  protected boolean expectSharedBetweenNodes() {
    return true;
  }

  @Test
  void documentedAclUser_runsTheOtherStoresOnTheCluster() {
    createUser(CLUSTER_STORE_COMMANDS);
    RedisStores redis = connectAsUser(prefix);

    var later = clock.instant().plus(Duration.ofMinutes(5));
    redis.revocationStore().revoke("ticket-1", later);
    assertThat(redis.revocationStore().isRevoked("ticket-1", "u-alice", clock.instant()))
        .isTrue();
    assertThat(redis.revocationStore().isRevoked("ticket-2", "u-alice", clock.instant()))
        .isFalse();
    assertThat(redis.replayStore().markUsed("token-1", later)).isTrue();
    assertThat(redis.replayStore().markUsed("token-1", later)).isFalse();
    var attempts = redis.loginAttemptStore();
    assertThat(attempts.reserve("budget", 1, 1, Duration.ofMinutes(1))).isTrue();
    assertThat(attempts.reserve("budget", 2, 1, Duration.ofMinutes(1))).isFalse();
    AccountLinkStore links = redis.accountLinkStore();
    assertThat(links.link("https://idp.example", "sub-1", "u-alice"))
        .isEqualTo(AccountLinkStore.LinkResult.LINKED);
    assertThat(links.userFor("https://idp.example", "sub-1")).contains("u-alice");
    assertThat(links.unlinkAll("u-alice")).isEqualTo(1);
  }

  @Test
  void aclUserWithoutClusterNodes_cannotLearnTheSlotLayout_andStartUpStops() {
    createUser(RedisOperatorSetupTest.STORE_COMMANDS);

    assertThatThrownBy(() -> connectAsUser(prefix))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("cannot connect to Redis at redis cluster via")
        .hasMessageNotContaining(password);
  }
}
