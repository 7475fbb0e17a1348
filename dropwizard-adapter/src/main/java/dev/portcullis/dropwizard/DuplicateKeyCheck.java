package dev.portcullis.dropwizard;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The application's configuration source, read through unchanged, with the names it gives twice within one mapping
 * noted ({@link #duplicates()}): Dropwizard reads the YAML into a tree in which a later value of a name replaces an
 * earlier one without a word, so a second {@code secure: false} below a reviewed {@code secure: true} would win. The
 * bundle refuses those in its own block; the rest of the file is the application's, read as before.
 */
final class DuplicateKeyCheck implements ConfigurationSourceProvider {
  /** The largest configuration read here: far beyond any application's YAML. */
  static final int MAX_BYTES = 16 * 1024 * 1024;

  private final ConfigurationSourceProvider source;
  private volatile List<List<String>> duplicates;

  DuplicateKeyCheck(ConfigurationSourceProvider source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  @Override
  public InputStream open(String path) throws IOException {
    byte[] bytes;
    try (InputStream in = source.open(path)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw new IOException(
          "the configuration " + path + " is larger than " + MAX_BYTES + " bytes");
    }
    duplicates = scan(bytes);
    return new ByteArrayInputStream(bytes);
  }

  /**
   * The paths (names from the top, list entries as their index) of the names given twice in one mapping, in the last
   * configuration read; null when none was read through this source.
   */
  List<List<String>> duplicates() {
    return duplicates;
  }

  private static List<List<String>> scan(byte[] yaml) {
    List<List<String>> found = new ArrayList<>();
    // One frame per open mapping or list: the names seen in a mapping, or the next index of a
    // list; the path holds the name or index of each frame but the top one.
    Deque<Frame> frames = new ArrayDeque<>();
    List<String> path = new ArrayList<>();
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      JsonToken t;
      String name = null;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME) {
          name = p.currentName();
          if (!frames.peek().names.add(name)) {
            List<String> at = new ArrayList<>(path);
            at.add(name);
            found.add(at);
          }
          continue;
        }
        if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          frames.pop();
          if (!frames.isEmpty()) {
            path.remove(path.size() - 1);
          }
          continue;
        }
        // A value: of the last name in a mapping, or the next entry of a list.
        Frame parent = frames.peek();
        String step =
            parent == null ? null : parent.names == null ? "[" + parent.next++ + "]" : name;
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (parent != null) {
            path.add(step);
          }
          frames.push(new Frame(t == JsonToken.START_OBJECT));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not YAML that Dropwizard can read either: its own reading reports the problem.
      return found;
    }
    return found;
  }

  /** An open mapping (the names it has given) or list (the index of its next entry). */
  private static final class Frame {
    final Set<String> names;
    int next;

    Frame(boolean mapping) {
      this.names = mapping ? new HashSet<>() : null;
    }
  }
}
