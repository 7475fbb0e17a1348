package dev.portcullis.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.testing.MutableClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stores reach a master through Sentinel: a real {@code redis-server} in Sentinel mode watches the shared test
 * server, and the stores are given only a {@code redis-sentinel://} URI naming the sentinel and the master.
 */
@ExtendWith(SharedRedis.class)
class RedisSentinelTest {
  private static final Duration STARTUP = Duration.ofSeconds(20);

  private final RedisServer master;
  private Path dir;
  private Process sentinel;

  RedisSentinelTest(RedisServer master) {
    this.master = master;
  }

  @AfterEach
  void stopSentinel() throws IOException, InterruptedException {
    if (sentinel != null) {
      sentinel.destroyForcibly();
      sentinel.waitFor(10, TimeUnit.SECONDS);
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files
            .sorted(java.util.Comparator.reverseOrder())
            .forEach(p -> p.toFile().delete());
      }
    }
  }

  private int startSentinel() throws IOException, InterruptedException {
    int port = RedisServer.freePort();
    dir = Files.createTempDirectory("redis-sentinel-test");
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "port " + port,
            "bind 127.0.0.1",
            "dir " + dir,
            "sentinel monitor portal 127.0.0.1 " + master.port() + " 1",
            ""));
    sentinel = new ProcessBuilder(
            List.of(RedisServer.binary().orElseThrow().toString(), conf.toString(), "--sentinel"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("sentinel.log").toFile())
        .start();
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
    try {
      long deadline = System.nanoTime() + STARTUP.toNanos();
      while (true) {
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          List<String> address = c.sync()
              .dispatch(
                  CommandType.SENTINEL,
                  new ValueListOutput<>(StringCodec.UTF8),
                  new CommandArgs<>(StringCodec.UTF8)
                      .add("get-master-addr-by-name")
                      .add("portal"));
          if (address != null && !address.isEmpty()) {
            return port;
          }
        } catch (RuntimeException e) {
          // not up yet
        }
        if (!sentinel.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the sentinel did not start: " + Files.readString(dir.resolve("sentinel.log")));
        }
        Thread.sleep(50);
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void storesGivenASentinelUri_reachTheMasterItNames() throws Exception {
    int port = startSentinel();
    MutableClock clock = MutableClock.startingAt2026();
    String prefix = SharedRedis.freshPrefix();
    RedisStoreConfig config = RedisStoreConfig.builder()
        .uri("redis-sentinel://127.0.0.1:" + port + "#portal")
        .keyPrefix(prefix)
        .commandTimeout(SharedRedis.PATIENT)
        .build();

    try (RedisStores stores = RedisStores.connect(config, clock)) {
      RevocationStore revocations = stores.revocationStore();
      revocations.revoke("t-sentinel", clock.instant().plus(Duration.ofHours(1)));
      assertThat(revocations.isRevoked("t-sentinel", "u-1", clock.instant())).isTrue();
      assertThat(revocations.isRevoked("t-other", "u-1", clock.instant())).isFalse();
    }
    try (RedisInspector inspector = new RedisInspector(master)) {
      assertThat(inspector.keys(prefix)).hasSize(1);
    }
  }
}
