package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The public test vectors named by the system property {@code portcullis.vectors.dir}. A test that needs them is
 * skipped when the property is empty and fails when it names a folder that is not there, so CI cannot pass them by
 * accident. A relative path resolves against {@code portcullis.root.dir}, the project root.
 */
public final class TestVectors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestVectors() {}

  /** The vector file {@code relative} (e.g. {@code aspnet/aspnet-sessionid.json}); it must exist. */
  public static Path file(String relative) {
    Path file = dir().resolve(relative).normalize();
    assertThat(file).as("vector file").isRegularFile();
    return file;
  }

  /** The vector file {@code relative} (e.g. {@code wycheproof/aes_gcm_test.json}) parsed as JSON. */
  public static JsonNode json(String relative) {
    Path file = file(relative);
    try {
      return JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The vectors folder; skips the calling test when none is configured. */
  public static Path dir() {
    String configured = System.getProperty("portcullis.vectors.dir", "");
    assumeTrue(
        !configured.isBlank(), "portcullis.vectors.dir is not set: public test vectors skipped");
    Path path = Path.of(configured);
    if (!path.isAbsolute()) {
      path =
          Path.of(System.getProperty("portcullis.root.dir", ".")).resolve(path).normalize();
    }
    assertThat(path).as("portcullis.vectors.dir").isDirectory();
    return path;
  }

  public static byte[] hex(JsonNode node) {
    return java.util.HexFormat.of().parseHex(node.asText());
  }
}
