package dev.portcullis.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Keeps the committed seeds of a Jazzer {@code @FuzzTest} in step with values a test computes (sealed values under a
 * fixed key ring and a {@link DeterministicRandom}).
 *
 * <p>Jazzer's JUnit integration replays every file under the test resource folder {@code <TestClass>Inputs/<method>}
 * in the test class's package. {@link #assertCommitted} checks that each computed seed is there with exactly the
 * computed bytes. After a deliberate format change, run the test once with {@code -Dportcullis.fuzz.writeSeeds=true}
 * to rewrite those files under {@code core/src/test/resources}, then review and commit them.
 */
public final class FuzzSeeds {
  private FuzzSeeds() {}

  /** Asserts that each {@code name -> bytes} seed is a committed seed of {@code testClass}'s {@code method}. */
  public static void assertCommitted(Class<?> testClass, String method, Map<String, byte[]> seeds) {
    String folder = testClass.getSimpleName() + "Inputs/" + method + "/";
    if (Boolean.getBoolean("portcullis.fuzz.writeSeeds")) {
      write(testClass, folder, seeds);
    }
    seeds.forEach((name, expected) -> {
      try (InputStream in = testClass.getResourceAsStream(folder + name)) {
        assertNotNull(
            in,
            () ->
                "missing seed " + folder + name + "; rerun with -Dportcullis.fuzz.writeSeeds=true");
        assertArrayEquals(expected, in.readAllBytes(), () -> "seed " + folder + name + " is stale");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static void write(Class<?> testClass, String folder, Map<String, byte[]> seeds) {
    Path sources = Path.of(
            System.getProperty("portcullis.root.dir"), "core", "src", "test", "resources")
        .resolve(testClass.getPackageName().replace('.', '/'));
    try {
      // Also into the compiled test resources, so that this run already reads what it wrote.
      Path compiled = Path.of(
              testClass.getResource(testClass.getSimpleName() + ".class").toURI())
          .getParent();
      for (Path base : new Path[] {sources, compiled}) {
        Path dir = base.resolve(folder);
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
          Files.write(dir.resolve(e.getKey()), e.getValue());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
