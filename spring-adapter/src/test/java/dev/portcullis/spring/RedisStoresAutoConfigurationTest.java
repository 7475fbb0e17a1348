package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.redis.RedisSentinel;
import dev.portcullis.redis.RedisStores;
import dev.portcullis.session.CaffeineSessionStore;
import dev.portcullis.session.SessionStore;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code portcullis.redis.uri} switches every store to Redis: one server, or the master a sentinel names. The Redis
 * connection is made at start-up, so the tests that connect run a loopback {@code redis-server} (and a sentinel) and
 * are skipped where none is installed (CI installs it).
 */
class RedisStoresAutoConfigurationTest {
  @TempDir
  Path dir;

  private WebApplicationContextRunner runner() throws IOException {
    return SharedStoresFixture.runner(dir);
  }

  private static Optional<Path> redisServer() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(
            Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/bin", "/usr/local/bin"))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "redis-server"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  @Test
  void redisUri_putsEveryStoreInRedis() throws Exception {
    Optional<Path> binary = redisServer();
    assumeTrue(binary.isPresent(), "redis-server is not installed (apt-get install redis-server)");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Process redis = new ProcessBuilder(
            binary.get().toString(),
            "--port",
            String.valueOf(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    try {
      awaitPort(port);
      runner()
          .withPropertyValues(
              "portcullis.redis.uri=redis://127.0.0.1:" + port,
              "portcullis.redis.key-prefix=portal-a:")
          .withPropertyValues(SharedStoresFixture.SSO)
          .run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RedisStores.class);
            SharedStoresFixture.assertEveryStoreFrom(context, "Redis");
          });
    } finally {
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sentinelUri_putsEveryStoreInTheMasterTheSentinelNames() throws Exception {
    assumeTrue(
        RedisSentinel.installed(), "redis-server is not installed (apt-get install redis-server)");
    try (RedisSentinel sentinel = RedisSentinel.start()) {
      runner()
          .withPropertyValues(
              "portcullis.redis.uri=" + sentinel.uri(),
              "portcullis.redis.key-prefix=portal-s:",
              "portcullis.redis.command-timeout=5s")
          .withPropertyValues(SharedStoresFixture.SSO)
          .run(context -> {
            // The sentinel itself refuses data commands: the stores work only through the master it
            // names.
            assertThat(context).hasNotFailed().hasSingleBean(RedisStores.class);
            SharedStoresFixture.assertEveryStoreFrom(context, "Redis");
            SharedStoresFixture.assertSessionReadsBack(context);
          });
    }
  }

  private static void awaitPort(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  @Test
  void unreachableRedis_failsStartUp_namingTheEndpointButNotThePassword() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    runner()
        .withPropertyValues(
            "portcullis.redis.uri=redis://:hunter2secret@127.0.0.1:" + port,
            "portcullis.redis.command-timeout=200ms")
        .run(context -> {
          assertThat(context).hasFailed();
          var analysis = PortcullisAutoConfigurationTest.analysis(context.getStartupFailure());
          assertThat(analysis.getDescription())
              .contains("127.0.0.1:" + port)
              .doesNotContain("hunter2secret");
          assertThat(analysis.getAction()).contains("portcullis.redis.uri");
        });
  }

  @Test
  void withoutTheRedisModule_theUriIsIgnored_andStoresStayInMemory() throws Exception {
    runner()
        .withClassLoader(new FilteredClassLoader(RedisStores.class))
        .withPropertyValues("portcullis.redis.uri=redis://127.0.0.1:1")
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean("portcullisRedisStores");
          assertThat(context.getBean(SessionStore.class)).isInstanceOf(CaffeineSessionStore.class);
        });
  }
}
