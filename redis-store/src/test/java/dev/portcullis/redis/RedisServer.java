package dev.portcullis.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests: loopback only, no persistence, in a temporary folder, on a free port. It can
 * be frozen and thawed (SIGSTOP / SIGCONT, so its data survives), killed, and started again on the same port. Other
 * modules' tests start one through this module's test-jar.
 */
public final class RedisServer implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(10);

  private final Path binary;
  private final Path dir;
  private final int port;
  private final List<String> extraArguments;
  private Process process;

  private RedisServer(Path binary, Path dir, int port, List<String> extraArguments) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.extraArguments = List.copyOf(extraArguments);
  }

  /** The {@code redis-server} on the PATH, if any. */
  public static Optional<Path> binary() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(
            Stream.of(path.split(java.io.File.pathSeparator)),
            Stream.of("/usr/bin", "/usr/local/bin"))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "redis-server"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  public static final String MISSING =
      "redis-server is not installed (apt-get install redis-server): Redis store tests skipped";

  public static RedisServer start() throws IOException {
    return start(freePort(), List.of());
  }

  /** A server on {@code port} with {@code extraArguments} after the usual ones (cluster mode, for instance). */
  static RedisServer start(int port, List<String> extraArguments) throws IOException {
    Path binary = binary().orElseThrow(() -> new IllegalStateException(MISSING));
    RedisServer server =
        new RedisServer(binary, Files.createTempDirectory("redis-test"), port, extraArguments);
    server.launch();
    return server;
  }

  /** The folder the server runs in (its {@code nodes.conf} in cluster mode). */
  Path dir() {
    return dir;
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Freezes the process: the port stays open, connections stay up, nothing answers. */
  void freeze() throws IOException, InterruptedException {
    signal("-STOP");
  }

  void thaw() throws IOException, InterruptedException {
    signal("-CONT");
  }

  /** Kills the process at once; its data is gone (no persistence). */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts a fresh server on the same port after {@link #kill()}. */
  void restart() throws IOException {
    launch();
  }

  private void launch() throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
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
        "no"));
    command.addAll(extraArguments);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited: " + Files.readString(dir.resolve("redis.log")));
      }
      if (answersPing()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("redis-server did not answer within " + STARTUP);
  }

  private boolean answersPing() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String reply = new String(in.readNBytes(7), StandardCharsets.US_ASCII);
      // A server whose default user needs a password (or is off) answers, too: it is up.
      return reply.equals("+PONG\r\n") || reply.equals("-NOAUTH");
    } catch (IOException e) {
      return false;
    }
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder(List.of("kill", signal, Long.toString(process.pid())))
        .inheritIO()
        .start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill " + signal + " failed");
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException {
    if (process != null) {
      process.destroyForcibly(); // also ends a frozen process
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
