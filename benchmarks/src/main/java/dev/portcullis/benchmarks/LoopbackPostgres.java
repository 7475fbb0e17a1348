package dev.portcullis.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.jdbc.JdbcSchema;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL for the benchmarks, started as the JDBC module's tests start theirs: the newest Debian
 * {@code /usr/lib/postgresql/<version>/bin}, {@code initdb} into a temporary folder under {@code target/}, the server on
 * a free loopback port (TCP on 127.0.0.1, its Unix socket in that folder), trust authentication, durability off since
 * the data dies with the run. As root, both programs run through {@code setpriv} as the {@code postgres} user (or
 * {@code nobody}). {@link #close()} stops the server and deletes the folder.
 */
final class LoopbackPostgres implements AutoCloseable {
  static final String MISSING =
      "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin with initdb and postgres;"
          + " apt-get install postgresql)";
  private static final String USER = "portcullis";
  private static final Path INSTALLS = Path.of("/usr/lib/postgresql");
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final Path dir;
  private final int port;
  private final Process process;

  private LoopbackPostgres(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** The newest installed {@code bin} folder with {@code initdb} and {@code postgres}, if any. */
  static Optional<Path> binaries() {
    if (!Files.isDirectory(INSTALLS)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(INSTALLS)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b ->
              Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparing(LoopbackPostgres::majorVersion));
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

  /** Makes a fresh cluster and starts it; fails when the binaries are absent. */
  static LoopbackPostgres start() throws IOException, InterruptedException {
    Path bin = binaries().orElseThrow(() -> new IllegalStateException(MISSING));
    Path target = Path.of("target").toAbsolutePath();
    Files.createDirectories(target);
    Path dir = Files.createTempDirectory(target, "postgres-bench");
    List<String> runAs = List.of();
    if (Files.getOwner(dir).getName().equals("root")) {
      String user = run(List.of("id", "-u", "postgres")).isPresent() ? "postgres" : "nobody";
      String gid = run(List.of("id", "-g", user)).orElseThrow().strip();
      String group = run(List.of("id", "-gn", user)).orElseThrow().strip();
      UserPrincipalLookupService names = dir.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
      view.setOwner(names.lookupPrincipalByName(user));
      view.setGroup(names.lookupPrincipalByGroupName(group));
      runAs = List.of("setpriv", "--reuid=" + user, "--regid=" + gid, "--init-groups");
    }
    List<String> initdb = new ArrayList<>(runAs);
    initdb.addAll(List.of(
        bin.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-U",
        USER,
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync"));
    if (run(initdb).isEmpty()) {
      throw new IllegalStateException("initdb failed");
    }
    int port = freePort();
    List<String> postgres = new ArrayList<>(runAs);
    postgres.addAll(List.of(
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
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off"));
    Process process = new ProcessBuilder(postgres)
        .redirectErrorStream(true)
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
        .start();
    LoopbackPostgres server = new LoopbackPostgres(dir, port, process);
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("postgres exited: " + server.log());
      }
      try (Connection c = DriverManager.getConnection(server.jdbcUrl(), USER, "")) {
        return server;
      } catch (SQLException e) {
        Thread.sleep(50);
      }
    }
    server.close();
    throw new IllegalStateException("postgres did not answer within " + STARTUP);
  }

  private String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** A pool on the server with the Portcullis tables applied; the caller closes it. */
  HikariDataSource dataSource() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl());
    config.setUsername(USER);
    config.setMaximumPoolSize(4);
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    config.setPoolName("portcullis-benchmark");
    HikariDataSource dataSource = new HikariDataSource(config);
    JdbcSchema.apply(dataSource);
    return dataSource;
  }

  private String log() throws IOException {
    Path log = dir.resolve("postgres.log");
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
  }

  /** The command's output when it exits with 0 within two minutes. */
  private static Optional<String> run(List<String> command)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return Optional.empty();
    }
    return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Fast shutdown (SIGINT), then the folder is deleted. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (process.isAlive()) {
      run(List.of("kill", "-INT", Long.toString(process.pid())));
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
