package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The public test vectors folder, named by the system property {@code portcullis.vectors.dir} (relative paths resolve
 * against {@code portcullis.root.dir}, the project root). Tests that need it are skipped when the property is empty,
 * and fail when it names a folder that is not there.
 */
public final class TestVectors {
  private TestVectors() {}

  /** The file {@code relative} inside the vectors folder; skips the calling test when no folder is configured. */
  public static Path file(String relative) {
    String dir = System.getProperty("portcullis.vectors.dir", "").trim();
    assumeTrue(!dir.isEmpty(), "portcullis.vectors.dir is not set: skipping the test-vector check");
    Path base = Path.of(dir);
    if (!base.isAbsolute()) {
      base = Path.of(System.getProperty("portcullis.root.dir", "")).resolve(base);
    }
    Path file = base.resolve(relative).normalize();
    assertThat(Files.isDirectory(base)).as("vectors folder %s", base).isTrue();
    assertThat(Files.isRegularFile(file)).as("vector file %s", file).isTrue();
    return file;
  }
}
