package dev.portcullis.examples.portal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The complete lines of a JSON-lines log that a sink may be appending to while it is read. Bytes after the last
 * newline are left out: a record the sink is writing at that moment, not yet a record.
 */
final class LogLines {
  private LogLines() {}

  /** The file's complete lines, without their newlines; none when the file does not exist yet. */
  static byte[] completeLines(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new byte[0];
    }
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    return end == bytes.length ? bytes : Arrays.copyOf(bytes, end);
  }

  /**
   * Hands each complete line of {@code file} to {@code each}, in order, without its newline, reading the file in
   * pieces: only the line being read is held, however long the file. Nothing when the file does not exist yet.
   */
  static void forEachCompleteLine(Path file, Consumer<String> each) throws IOException {
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      return;
    }
    try (in) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) > 0) {
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            line.write(buffer, start, i - start);
            each.accept(line.toString(StandardCharsets.UTF_8));
            line.reset();
            start = i + 1;
          }
        }
        line.write(buffer, start, n - start);
      }
    }
  }

  /** Splits complete lines (as from {@link #completeLines}) into strings, empty lines kept. */
  static List<String> split(byte[] completeLines) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < completeLines.length; i++) {
      if (completeLines[i] == '\n') {
        lines.add(new String(completeLines, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return lines;
  }
}
