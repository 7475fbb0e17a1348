package dev.portcullis.dropwizard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.redis.RedisStoreConfig;
import io.dropwizard.testing.ConfigOverride;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A {@code portcullis.redis} block the core refuses, or a Redis that does not answer, stops the start with what to
 * fix, naming the block's settings and never a password.
 */
class RedisBlockRefusalsTest {
  private static final String PASSWORD = "s3cret-redis-pw";

  /** The start's failure, with its causes, as Dropwizard would print it. */
  private static Throwable startFailure(ConfigOverride... overrides) {
    return PortalStarts.refused(overrides);
  }

  private static String printed(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void uriAndClusterNodesTogether_areRefused() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.redis.uri", "redis://:" + PASSWORD + "@127.0.0.1:6390"),
        ConfigOverride.config(
            "portcullis.redis.cluster-nodes", "redis://:" + PASSWORD + "@127.0.0.1:7000"));

    assertThat(failure.getMessage())
        .startsWith("portcullis.redis was refused: ")
        .contains("give either a Redis URI or the nodes of a Redis Cluster, not both")
        .contains("set either uri")
        .contains("or cluster-nodes");
    assertThat(printed(failure)).doesNotContain(PASSWORD);
  }

  @Test
  void aBlockWithNeitherUriNorClusterNodes_isRefused() {
    Throwable failure =
        startFailure(ConfigOverride.config("portcullis.redis.key-prefix", "portal:"));

    assertThat(failure.getMessage())
        .contains(
            "portcullis.redis was refused: a Redis URI or the nodes of a Redis Cluster are required");
  }

  @Test
  void aCommandTimeoutAboveThirtySeconds_isRefused() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.redis.uri", "redis://127.0.0.1:6390"),
        ConfigOverride.config("portcullis.redis.command-timeout", "31 seconds"));

    assertThat(failure.getMessage())
        .contains(
            "portcullis.redis was refused: the command timeout must be above zero and at most 30 s")
        .contains("command-timeout is above zero and at most 30 s");
  }

  @Test
  void aZeroCommandTimeout_isRefused() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.redis.uri", "redis://127.0.0.1:6390"),
        ConfigOverride.config("portcullis.redis.command-timeout", "0ms"));

    assertThat(failure.getMessage())
        .contains("the command timeout must be above zero and at most 30 s");
  }

  @Test
  void aKeyPrefixWithASpace_isRefused() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.redis.uri", "redis://127.0.0.1:6390"),
        ConfigOverride.config("portcullis.redis.key-prefix", "two words"));

    assertThat(failure.getMessage())
        .contains("the key prefix must be 1 to 64 printable ASCII characters without spaces")
        .contains("key-prefix is 1 to 64 printable characters");
  }

  @Test
  void maxPendingCommandsOutsideTwoTo65536_stopsTheStart_namingTheSetting() {
    for (String[] bad : new String[][] {
      {"1", "must be greater than or equal to 2"},
      {"65537", "must be less than or equal to 65536"}
    }) {
      Throwable failure = startFailure(
          ConfigOverride.config("portcullis.redis.uri", "redis://:" + PASSWORD + "@127.0.0.1:6390"),
          ConfigOverride.config("portcullis.redis.max-pending-commands", bad[0]));

      assertThat(failure.getMessage())
          .as(bad[0])
          .contains("portcullis.redis.maxPendingCommands")
          .contains(bad[1]);
      assertThat(printed(failure)).doesNotContain(PASSWORD);
    }
  }

  @Test
  void maxPendingCommands_fromTheBlock_boundsTheRedisConnection_andUnsetIsTheCoreDefault() {
    PortcullisFactory.Redis block = new PortcullisFactory.Redis();
    block.setUri("redis://127.0.0.1:6390");
    assertThat(RedisBlock.config(block).maxPendingCommands())
        .isEqualTo(RedisStoreConfig.DEFAULT_MAX_PENDING_COMMANDS);
    block.setMaxPendingCommands(2);
    assertThat(RedisBlock.config(block).maxPendingCommands()).isEqualTo(2);
  }

  @Test
  void trustedCertificatesWithAPlainRedisUri_areRefused() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.redis.uri", "redis://:" + PASSWORD + "@127.0.0.1:6390"),
        ConfigOverride.config(
            "portcullis.redis.trusted-certificates", PortcullisBundleTest.KEYS.toString()));

    assertThat(failure.getMessage())
        .contains(
            "portcullis.redis was refused: trusted certificates are for TLS: use a rediss:// URI")
        .contains("trusted-certificates only with rediss://");
    assertThat(printed(failure)).doesNotContain(PASSWORD);
  }

  @Test
  void aUriThatIsNoRedisUri_isRefused_withoutRepeatingIt() {
    Throwable failure = startFailure(
        ConfigOverride.config("portcullis.redis.uri", "http://:" + PASSWORD + "@host"));

    assertThat(failure.getMessage()).contains("portcullis.redis was refused: not a Redis URI");
    assertThat(printed(failure)).doesNotContain(PASSWORD);
  }

  @Test
  void aRedisThatDoesNotAnswer_stopsTheStart_namingTheEndpointButNotThePassword() throws Exception {
    int port = closedPort();
    Throwable failure = startFailure(ConfigOverride.config(
        "portcullis.redis.uri", "redis://:" + PASSWORD + "@127.0.0.1:" + port));

    assertThat(failure.getMessage())
        .contains("cannot connect to Redis at redis://127.0.0.1:" + port)
        .contains("portcullis.redis.uri");
    assertThat(printed(failure)).doesNotContain(PASSWORD);
  }

  @Test
  void withoutTheRedisModule_theStartStops_namingTheArtifact() {
    assertThatThrownBy(() -> RedisBlock.requireModule(
            "dev.portcullis.redis.NotThere", RedisBlockRefusalsTest.class.getClassLoader()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "portcullis.redis is set but dev.portcullis:portcullis-redis is not on the class path")
        .hasMessageContaining("Add the dependency dev.portcullis:portcullis-redis");
    RedisBlock.requireModule(
        RedisBlock.MODULE_CLASS, RedisBlockRefusalsTest.class.getClassLoader());
  }
}
