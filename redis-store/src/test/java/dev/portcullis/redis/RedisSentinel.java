package dev.portcullis.redis;

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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} in Sentinel mode for tests, on a free loopback port, watching one master under the name
 * {@value #MASTER_NAME}. {@link #start()} (for other modules' tests, through this module's test-jar) starts a master of
 * its own; {@link #watching} watches a server the test already has. Either returns once the sentinel names the master.
 */
public final class RedisSentinel implements AutoCloseable {
  /** The name the sentinel knows the master by, the fragment of a {@code redis-sentinel://} URI. */
  public static final String MASTER_NAME = "portal";

  private static final Duration STARTUP = Duration.ofSeconds(20);

  private final RedisServer ownMaster;
  private final Path dir;
  private final Process process;
  private final int port;

  private RedisSentinel(RedisServer ownMaster, Path dir, Process process, int port) {
    this.ownMaster = ownMaster;
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /** Whether {@code redis-server} is installed here; without it {@link #start()} cannot run. */
  public static boolean installed() {
    return RedisServer.binary().isPresent();
  }

  /** A master of its own and a sentinel watching it; {@link #close()} stops both. */
  public static RedisSentinel start() throws IOException, InterruptedException {
    RedisServer master = RedisServer.start();
    try {
      return launch(master, master);
    } catch (IOException | InterruptedException | RuntimeException e) {
      master.close();
      throw e;
    }
  }

  /** A sentinel watching {@code master}, which stays the caller's to stop. */
  static RedisSentinel watching(RedisServer master) throws IOException, InterruptedException {
    return launch(master, null);
  }

  private static RedisSentinel launch(RedisServer master, RedisServer ownMaster)
      throws IOException, InterruptedException {
    int port = RedisServer.freePort();
    Path dir = Files.createTempDirectory("redis-sentinel-test");
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "port " + port,
            "bind 127.0.0.1",
            "dir " + dir,
            "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 1",
            ""));
    Process process = new ProcessBuilder(
            List.of(RedisServer.binary().orElseThrow().toString(), conf.toString(), "--sentinel"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("sentinel.log").toFile())
        .start();
    RedisSentinel sentinel = new RedisSentinel(ownMaster, dir, process, port);
    try {
      sentinel.awaitMaster();
      return sentinel;
    } catch (IOException | InterruptedException | RuntimeException e) {
      sentinel.stopSentinel();
      throw e;
    }
  }

  private void awaitMaster() throws IOException, InterruptedException {
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
                      .add(MASTER_NAME));
          if (address != null && !address.isEmpty()) {
            return;
          }
        } catch (RuntimeException e) {
          // not up yet
        }
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the sentinel did not start: " + Files.readString(dir.resolve("sentinel.log")));
        }
        Thread.sleep(50);
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  public int port() {
    return port;
  }

  /** The URI that reaches the master through this sentinel: {@code redis-sentinel://127.0.0.1:port#portal}. */
  public String uri() {
    return "redis-sentinel://127.0.0.1:" + port + "#" + MASTER_NAME;
  }

  private void stopSentinel() throws IOException {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Override
  public void close() throws IOException {
    try {
      stopSentinel();
    } finally {
      if (ownMaster != null) {
        ownMaster.close();
      }
    }
  }
}
