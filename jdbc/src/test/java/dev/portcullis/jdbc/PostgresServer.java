package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for tests, from the Debian {@code postgresql} package: the newest
 * {@code /usr/lib/postgresql/<version>/bin} that has {@code initdb} and {@code postgres}. {@code initdb} makes a fresh
 * cluster in a temporary folder under {@code target/}; {@code postgres} serves it on a free loopback port (TCP on
 * 127.0.0.1 only, its Unix socket in the same folder), with durability off ({@code fsync}, {@code synchronous_commit}
 * and {@code full_page_writes}) since the data dies with the run. Trust authentication, for the loopback only.
 *
 * <p><b>Run as root.</b> Both programs refuse to run as root. When the tests run as root (as in a CI container), they
 * run them through {@code setpriv --reuid --regid --init-groups} as the {@code postgres} user the package creates, or
 * {@code nobody} when there is none, and hand that user the temporary folder; every folder above it must be
 * searchable by that user, as {@code target/} normally is. Otherwise they run as the test's own user.
 *
 * <p>{@link #stop()} shuts the server down fast (SIGINT: running statements are cancelled, clients disconnected) and
 * {@link #start()} brings it back on the same port with its data; {@link #close()} stops it and deletes the folder.
 * Tests keep apart by schema ({@link #freshDataSource()}), not by server.
 *
 * <p>Shared with other modules' tests through this module's test-jar (which holds only this class).
 */
public final class PostgresServer implements AutoCloseable {
  public static final String MISSING =
      "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin with initdb and"
          + " postgres; apt-get install postgresql): JDBC store tests skipped";
  public static final String USER = "portcullis";
  private static final Path INSTALLS = Path.of("/usr/lib/postgresql");
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private final Path bin;
  private final Path dir;
  private final int port;
  private final List<String> runAs;
  private volatile Process process;

  private PostgresServer(Path bin, Path dir, int port, List<String> runAs) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.runAs = runAs;
  }

  /** The newest installed {@code bin} folder with {@code initdb} and {@code postgres}, if any. */
  public static Optional<Path> binaries() {
    if (!Files.isDirectory(INSTALLS)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(INSTALLS)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b ->
              Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparing(PostgresServer::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Makes a fresh cluster and starts it. */
  public static PostgresServer create() throws IOException, InterruptedException {
    Path bin = binaries().orElseThrow(() -> new IllegalStateException(MISSING));
    Path target = Path.of("target").toAbsolutePath();
    Files.createDirectories(target);
    Path dir = Files.createTempDirectory(target, "postgres-test");
    List<String> runAs = List.of();
    if (Files.getOwner(dir).getName().equals("root")) {
      String user = exitCode("id", "-u", "postgres") == 0 ? "postgres" : "nobody";
      String gid = output("id", "-g", user).strip();
      UserPrincipalLookupService names = dir.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
      view.setOwner(names.lookupPrincipalByName(user));
      GroupPrincipal group =
          names.lookupPrincipalByGroupName(output("id", "-gn", user).strip());
      view.setGroup(group);
      runAs = List.of("setpriv", "--reuid=" + user, "--regid=" + gid, "--init-groups");
    }
    PostgresServer server = new PostgresServer(bin, dir, freePort(), runAs);
    server.initdb();
    server.start();
    // Should the test JVM end without closing the server (a killed fork), stop it anyway.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Process p = server.process;
      if (p != null && p.isAlive()) {
        p.destroy();
      }
    }));
    return server;
  }

  public int port() {
    return port;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /**
   * A pool on a schema of its own, made for the caller, with the Portcullis tables applied. The caller closes it.
   */
  public HikariDataSource freshDataSource() throws SQLException {
    String schema = "test" + SCHEMAS.incrementAndGet();
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl("postgres") + "?currentSchema=" + schema);
    config.setUsername(USER);
    config.setMaximumPoolSize(10);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    config.setPoolName("portcullis-test-" + schema);
    HikariDataSource dataSource = new HikariDataSource(config);
    JdbcSchema.apply(dataSource);
    return dataSource;
  }

  /** Starts the server on its port, with the data it had. */
  public void start() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(runAs);
    command.addAll(List.of(
        bin.resolve("postgres").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-h",
        "127.0.0.1",
        "-p",
        Integer.toString(port),
        "-k",
        dir.toString(),
        "-c",
        "max_connections=200",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off"));
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
        .start();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("postgres exited: " + log());
      }
      try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "")) {
        return;
      } catch (SQLException e) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("postgres did not answer within " + STARTUP + ": " + log());
  }

  /** Whether the server's process runs (paused or not): false before {@link #start()} and after {@link #stop()}. */
  public boolean running() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Fast shutdown: running statements are cancelled and clients disconnected; the data stays. */
  public void stop() throws IOException, InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    signalAll("-CONT"); // a paused server cannot shut down
    exitCode("kill", "-INT", Long.toString(process.pid()));
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Freezes the server and every backend (SIGSTOP): connections stay open and nothing answers, as with a database
   * host that hangs or a network that drops packets. {@link #resume()} undoes it.
   */
  public void pause() throws IOException, InterruptedException {
    signalAll("-STOP");
  }

  /** Lets a {@linkplain #pause() paused} server run on (SIGCONT). */
  public void resume() throws IOException, InterruptedException {
    signalAll("-CONT");
  }

  private void signalAll(String signal) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kill", signal, Long.toString(process.pid())));
    process.descendants().forEach(p -> command.add(Long.toString(p.pid())));
    exitCode(command.toArray(String[]::new));
  }

  private void initdb() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(runAs);
    command.addAll(List.of(
        bin.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-U",
        USER,
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync"));
    Process initdb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("initdb.log").toFile())
        .start();
    if (!initdb.waitFor(2, TimeUnit.MINUTES) || initdb.exitValue() != 0) {
      initdb.destroyForcibly();
      throw new IllegalStateException(
          "initdb failed: " + Files.readString(dir.resolve("initdb.log"), StandardCharsets.UTF_8));
    }
  }

  private String log() throws IOException {
    Path log = dir.resolve("postgres.log");
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
  }

  private static int exitCode(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    return p.waitFor();
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
