package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: an application without an SLF4J backend (a WAR or an embedded Jetty app that brought none; SLF4J then
 * prints "No SLF4J providers were found" once and drops everything) started with the default audit, to SLF4J, and
 * lost every audit event without a word. The portal now refuses to start, saying what to add; an audit file needs no
 * backend and still starts. Each case runs in a JVM of its own whose class path lacks slf4j-simple.
 */
class NoLoggingBackendTest {
  private static final int STARTED = 0;
  private static final int REFUSED = 3;

  @TempDir
  Path dir;

  @Test
  void theDefaultAuditToSlf4j_withoutABackend_refusesToStart_sayingWhatToAdd() throws Exception {
    Child child = run("slf4j");

    assertThat(child.status()).as(child.output()).isEqualTo(REFUSED);
    assertThat(child.output())
        .contains("refused: SLF4J has no logging backend on the class path")
        .contains("the audit events sent to it would be lost")
        .contains("slf4j-simple, Logback")
        .contains("AuditSink.hashChained");
  }

  @Test
  void anAuditFile_withoutABackend_starts() throws Exception {
    Child child = run(dir.resolve("audit.jsonl").toString());

    assertThat(child.status()).as(child.output()).isEqualTo(STARTED);
    assertThat(child.output()).contains("started");
  }

  /**
   * Regression: with an audit file and no backend, the warnings Portcullis says at start-up (development mode, a key
   * file others can read, the default cookie names at a sub-path) went to SLF4J, which dropped them; the operator of a
   * security library heard nothing. They now reach the standard error when SLF4J has no backend.
   *
   * <p>Regression: each such line named SLF4J's no-operation logger ({@code Portcullis WARNING (NOP): ...}) rather
   * than the part of Portcullis that warns; it now names the class, as its logger would have.
   */
  @Test
  void withoutABackend_theStartUpWarnings_reachTheStandardError() throws Exception {
    Path keys = dir.resolve("keys.txt");

    Child child = run(dir.resolve("audit.jsonl").toString(), "/staff", keys.toString());

    assertThat(child.status()).as(child.output()).isEqualTo(STARTED);
    assertThat(child.output())
        .contains("Portcullis WARNING (dev.portcullis.servlet.TransportStage): *** Portcullis"
            + " DEVELOPMENT MODE")
        .contains("Portcullis WARNING (dev.portcullis.crypto.KeyFilePermissions): key file " + keys
            + " can be read by its group or by others")
        .contains("Portcullis WARNING (dev.portcullis.servlet.PortcullisFilter): Portcullis runs in"
            + " the servlet context /staff with the default cookie names")
        .doesNotContain("WARNING (NOP)")
        .contains("started");
  }

  private record Child(int status, String output) {}

  /**
   * Runs {@link Portal} without slf4j-simple; {@code audit} is "slf4j" or the audit file, then optionally the
   * context path and a key file to write readable by all and read.
   */
  private static Child run(String... args) throws Exception {
    String classPath = Arrays.stream(
            System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("slf4j-simple"))
        .collect(Collectors.joining(File.pathSeparator));
    assertThat(classPath)
        .as("the test's own class path has the backend")
        .isNotEqualTo(System.getProperty("java.class.path"));
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        classPath,
        Portal.class.getName()));
    command.addAll(List.of(args));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    child.getOutputStream().close();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("the child ends").isTrue();
    return new Child(child.exitValue(), output);
  }

  /** A portal as the README's quick start builds it, on embedded Jetty: started, then stopped at once. */
  public static final class Portal {
    private Portal() {}

    public static void main(String[] args) throws Exception {
      SecureRandom random = new SecureRandom();
      KeyRing ring = KeyRing.builder()
          .add(
              0x0a1b2c3d,
              KeyStatus.ACTIVE,
              Instant.parse("2026-11-01T00:00:00Z"),
              KeyMaterial.generate(random))
          .build();
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath(args.length > 1 ? args[1] : "/");
      server.setHandler(context);
      try {
        KeyRingSource keys = ring;
        if (args.length > 2) {
          Path file = Path.of(args[2]);
          KeyRingSources.createFile(ring, file);
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
          keys = KeyRingSources.fromFile(file);
        }
        Portcullis.Builder builder = Portcullis.builder()
            .keyRing(keys)
            .users(new InMemoryUserDirectory(PasswordHasher.standard(random)))
            .termsVersion("2026-01")
            .transport(TransportConfig.builder().developmentMode(true).build());
        if (!args[0].equals("slf4j")) {
          builder.auditSink(AuditSink.jsonLines(Path.of(args[0])));
        }
        builder.build().register(context.getServletContext());
      } catch (IllegalStateException e) {
        System.out.println("refused: " + e.getMessage());
        System.exit(REFUSED);
      }
      server.start();
      System.out.println("started");
      server.stop();
      System.exit(STARTED);
    }
  }
}
