package dev.portcullis.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away {@code redis-server} from the PATH for the benchmarks: loopback only, no persistence, a free port, a
 * temporary folder under {@code target/}. {@link #close()} stops it and deletes the folder.
 */
final class LoopbackRedis implements AutoCloseable {
  static final String MISSING = "redis-server is not on the PATH (apt-get install redis-server)";
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final Path dir;
  private final int port;
  private final Process process;

  private LoopbackRedis(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** The {@code redis-server} on the PATH, if any. */
  static Optional<Path> binary() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(":"))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "redis-server"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  static LoopbackRedis start() throws IOException, InterruptedException {
    Path binary = binary().orElseThrow(() -> new IllegalStateException(MISSING));
    Path target = Path.of("target").toAbsolutePath();
    Files.createDirectories(target);
    Path dir = Files.createTempDirectory(target, "redis-bench");
    int port = LoopbackPostgres.freePort();
    Process process = new ProcessBuilder(
            binary.toString(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toString(),
            "--daemonize",
            "no")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    LoopbackRedis server = new LoopbackRedis(dir, port, process);
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited");
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return server;
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    server.close();
    throw new IllegalStateException("redis-server did not answer within " + STARTUP);
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
