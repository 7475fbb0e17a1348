package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whoever can write the log's directory can put a symbolic link or a named pipe where the keyed sink expects its
 * files: the log, its checkpoint file, its lock file or the file that keeps a torn tail. The sink writes through no
 * link (a link could point at any file the application may write, and a torn tail is whatever bytes the log ended in)
 * and opens no pipe (the open would wait for ever for the other end, and with it the start-up); the verifier reads no
 * pipe where it needs a file. Each is refused with the file's name and what is in its place.
 */
class LinksAndPipesInPlaceOfAuditFilesTest {
  private static final KeyRing KEYS = AuditCheckpointTest.ring(7);

  @TempDir
  Path dir;

  private final ExecutorService verifier = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "verifier-under-test");
    t.setDaemon(true);
    return t;
  });

  @AfterEach
  void stopVerifier() {
    verifier.shutdownNow();
  }

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private void writeRecords(int records) throws IOException {
    try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
      for (int i = 1; i <= records; i++) {
        sink.accept(AuditCheckpointTest.reportView(i));
      }
    }
  }

  private void mkfifo(Path path) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("mkfifo", path.toString())
          .redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      Assumptions.abort("no mkfifo command to make a named pipe with: " + e.getMessage());
      return;
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(p.waitFor() == 0, () -> "mkfifo could not make a named pipe here: " + output);
  }

  @ParameterizedTest
  @ValueSource(strings = {"audit.jsonl", "audit.jsonl.checkpoints", "audit.jsonl.lock"})
  void linkInPlaceOfAFileOfTheSink_isRefused_andNothingIsWrittenWhereItPoints(String name)
      throws IOException {
    Path elsewhere = dir.resolve("elsewhere/target");
    Files.createDirectories(elsewhere.getParent());
    Files.createSymbolicLink(dir.resolve(name), elsewhere);

    assertThatThrownBy(() -> {
          try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
            sink.accept(AuditCheckpointTest.reportView(1));
          }
        })
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve(name) + " is a symbolic link")
        .hasMessageContaining("never through a link");
    assertThat(elsewhere).doesNotExist();
  }

  @Test
  void tornFileThatIsALinkToAnotherFile_isRefused_andNeitherFileIsChanged() throws IOException {
    writeRecords(3);
    // Whoever can write the log can make its torn tail any line at all.
    byte[] torn = "* * * * * root /tmp/x.sh".getBytes(StandardCharsets.US_ASCII);
    Files.write(file(), torn, StandardOpenOption.APPEND);
    byte[] log = Files.readAllBytes(file());
    Path other = dir.resolve("crontab");
    Files.writeString(other, "# the other file\n");
    Files.createSymbolicLink(dir.resolve("audit.jsonl.torn"), other);

    assertThatThrownBy(() -> AuditSink.hashChained(file(), KEYS).close())
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve("audit.jsonl.torn") + " is a symbolic link");
    assertThat(other).hasContent("# the other file");
    assertThat(Files.readAllBytes(file())).as("the log is left as it was").isEqualTo(log);
  }

  @Test
  void tornFileTheSinkCreates_isReadableByItsOwnerOnly() throws IOException {
    assumeTrue(
        dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
        "POSIX file permissions are not supported by this file system");
    writeRecords(2);
    Files.write(
        file(),
        "{\"kind\":\"audit\",\"user\":\"u-9".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);

    AuditSink.hashChained(file(), KEYS).close();

    Path torn = dir.resolve("audit.jsonl.torn");
    assertThat(torn).hasContent("{\"kind\":\"audit\",\"user\":\"u-9");
    assertThat(PosixFilePermissions.toString(
            Files.getPosixFilePermissions(torn, LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-------");
    assertThat(AuditChainVerifier.verify(file(), KEYS).tornRecordsCut()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"audit.jsonl", "audit.jsonl.checkpoints", "audit.jsonl.lock"})
  void namedPipeInPlaceOfAFileOfTheSink_isRefused(String name) throws Exception {
    Path pipe = dir.resolve(name);
    mkfifo(pipe);
    // The test holds both ends, so that a sink that opened the pipe would not wait for ever.
    try (RandomAccessFile bothEnds = new RandomAccessFile(pipe.toFile(), "rw")) {
      assertThatThrownBy(() -> {
            try (AuditSink sink = AuditSink.hashChained(file(), KEYS)) {
              sink.accept(AuditCheckpointTest.reportView(1));
            }
          })
          .isInstanceOf(IOException.class)
          .hasMessageContaining(
              pipe + " is not a regular file (a named pipe, a device or a socket)");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"audit.jsonl", "audit.jsonl.checkpoints"})
  void verifierGivenANamedPipe_answersThatItIsNoFile(String name) throws Exception {
    writeRecords(3);
    Path keyFile = dir.resolve("keys.txt");
    KeyRingSources.writeFile(KEYS, keyFile);
    Path pipe = dir.resolve(name);
    Files.delete(pipe);
    mkfifo(pipe);

    String answer = releasingReadersOf(
        pipe,
        () -> AuditCheckpointTest.run("--key-ring", keyFile.toString(), file().toString()));

    assertThat(answer)
        .startsWith("2 cannot read " + file())
        .contains(pipe + " is not a regular file (a named pipe, a device or a socket)")
        .doesNotContain("\tat ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"audit.jsonl", "audit.jsonl.checkpoints"})
  void newestRecordsOfANamedPipe_areNotRead(String name) throws Exception {
    writeRecords(3);
    Path pipe = dir.resolve(name);
    Files.delete(pipe);
    mkfifo(pipe);

    String answer = releasingReadersOf(pipe, () -> {
      try {
        return AuditChainVerifier.verifyNewest(file(), KEYS, 10).describe();
      } catch (IOException e) {
        return "refused: " + e.getMessage();
      }
    });

    assertThat(answer)
        .isEqualTo("refused: " + pipe
            + " is not a regular file (a named pipe, a device or a socket): nothing to verify");
  }

  /**
   * Runs {@code call} while opening and closing {@code pipe} as its writer over and over, so that a reader that opened
   * it gets to its end instead of waiting for ever for a writer.
   */
  private String releasingReadersOf(Path pipe, Callable<String> call) throws Exception {
    Future<String> answer = verifier.submit(call);
    for (int i = 0; i < 6000 && !answer.isDone(); i++) {
      try (RandomAccessFile writer = new RandomAccessFile(pipe.toFile(), "rw")) {
        Thread.sleep(5);
      }
    }
    assertThat(answer.isDone()).as("the reader still waits on the pipe").isTrue();
    return answer.get();
  }
}
