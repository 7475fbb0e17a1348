package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The shared public test vectors, found through the system property {@code portcullis.vectors.dir} (relative paths
 * resolve against {@code portcullis.root.dir}). Unset or empty: the calling test is skipped. Set but missing: it fails.
 */
final class VectorsDir {
  private VectorsDir() {}

  static JsonNode readAspNet(String fileName) throws IOException {
    String configured = System.getProperty("portcullis.vectors.dir", "").trim();
    assumeFalse(configured.isEmpty(), "portcullis.vectors.dir is not set: vector tests skipped");
    Path dir = Path.of(configured);
    if (!dir.isAbsolute()) {
      dir = Path.of(System.getProperty("portcullis.root.dir", "")).resolve(dir);
    }
    Path file = dir.resolve("aspnet").resolve(fileName);
    assertThat(dir).as("portcullis.vectors.dir is set, so the folder must exist").isDirectory();
    assertThat(file).as("vector file").isRegularFile();
    return new ObjectMapper().readTree(file.toFile());
  }
}
