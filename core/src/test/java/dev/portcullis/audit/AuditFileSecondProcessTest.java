package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second process that opens an audit file another process is writing is refused, as a second sink in the same
 * process is: two writers would interleave one hash chain and break it. Regression: the lock sat on the log itself,
 * and a POSIX lock goes when its process closes any descriptor of the file; the sink's own check of the existing
 * lines closed one at once, so another portal on the same data folder (a second WAR container, a second example
 * portal) appended to the same chain.
 */
class AuditFileSecondProcessTest {
  /** The child's exit status when it was refused the file. */
  static final int REFUSED = 3;

  @TempDir
  Path dir;

  @Test
  void secondProcess_isRefusedTheHashChainedFile_whileThisOneWritesIt() throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    try (AuditSink sink = AuditSink.hashChained(audit)) {
      sink.accept(Fixtures.event(AuditEventType.LOGOUT).build());
      sink.flush();
      // Something in this process reads the log while it is written, as a monitoring page does.
      assertThat(Fixtures.lines(audit)).hasSize(1);

      Child refused = runSecondWriter(audit);
      assertThat(refused.status()).as(refused.output()).isEqualTo(REFUSED);
      assertThat(refused.output()).contains("already open for writing");

      sink.accept(Fixtures.event(AuditEventType.LOGOUT).build());
    }
    assertThat(AuditChainVerifier.verify(audit).intact()).isTrue();
    assertThat(Fixtures.lines(audit)).hasSize(2);

    // Once this process has closed the file, the other one may write it, and the chain goes on.
    Child writes = runSecondWriter(audit);
    assertThat(writes.status()).as(writes.output()).isZero();
    AuditChainVerifier.Result chain = AuditChainVerifier.verify(audit);
    assertThat(chain.intact()).isTrue();
    assertThat(chain.records()).isEqualTo(3);
  }

  @Test
  void secondProcess_isRefusedTheJsonLinesFile_whileThisOneWritesIt() throws Exception {
    Path audit = dir.resolve("plain.jsonl");
    try (AuditSink sink = AuditSink.jsonLines(audit)) {
      sink.accept(Fixtures.event(AuditEventType.LOGOUT).build());
      sink.flush();
      assertThat(Fixtures.lines(audit)).hasSize(1);
      Child refused = runSecondWriter(audit, "json-lines");
      assertThat(refused.status()).as(refused.output()).isEqualTo(REFUSED);
    }
    assertThat(Fixtures.lines(audit)).hasSize(1);
  }

  private record Child(int status, String output) {}

  private static Child runSecondWriter(Path audit) throws Exception {
    return runSecondWriter(audit, "hash-chained");
  }

  private static Child runSecondWriter(Path audit, String sink) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(List.of(
            java.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            SecondWriter.class.getName(),
            audit.toString(),
            sink))
        .redirectErrorStream(true)
        .start();
    child.getOutputStream().close();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child ends").isTrue();
    return new Child(child.exitValue(), output);
  }

  /** The second process: opens the file, writes one record and closes it; exits {@link #REFUSED} if refused. */
  static final class SecondWriter {
    private SecondWriter() {}

    public static void main(String[] args) {
      Path file = Path.of(args[0]);
      try (AuditSink sink =
          args[1].equals("json-lines") ? AuditSink.jsonLines(file) : AuditSink.hashChained(file)) {
        sink.accept(AuditEvent.builder(AuditEventType.LOGOUT)
            .id("evt-second-process")
            .time(Instant.parse("2026-01-01T00:00:00Z"))
            .build());
      } catch (IOException e) {
        System.out.println("refused: " + e.getMessage());
        System.exit(REFUSED);
      }
    }
  }
}
