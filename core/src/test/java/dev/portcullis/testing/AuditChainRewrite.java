package dev.portcullis.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Rewrites a hash-chained audit file as someone who can write the file but holds no key could: one record's text is
 * changed and every {@code prev} and {@code hash} from it on is computed again, so that the chain alone (without
 * checkpoints) still verifies. Only a keyed checkpoint after the change can tell.
 */
public final class AuditChainRewrite {
  private static final String PREV = ",\"prev\":\"";

  private AuditChainRewrite() {}

  /**
   * Replaces {@code from} by {@code to} in the first record that contains it and chains the records from it on again.
   *
   * @return the 1-based line of the changed record
   * @throws IllegalArgumentException if no record contains {@code from}
   */
  public static int replace(Path file, String from, String to) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int line = 1;
    while (line <= lines.size() && !lines.get(line - 1).contains(from)) {
      line++;
    }
    if (line > lines.size()) {
      throw new IllegalArgumentException("no record of " + file + " contains " + from);
    }
    lines.set(line - 1, lines.get(line - 1).replace(from, to));
    String prev = line == 1 ? hashOf(null) : hashOf(lines.get(line - 2));
    for (int i = line - 1; i < lines.size(); i++) {
      String current = lines.get(i);
      String content = current.substring(0, current.indexOf(PREV)) + PREV + prev + "\"";
      String hash = sha256(content);
      lines.set(i, content + ",\"hash\":\"" + hash + "\"}");
      prev = hash;
    }
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return line;
  }

  /** The record's own hash, or the chain's genesis value (64 zeros) before the first record. */
  private static String hashOf(String record) {
    if (record == null) {
      return "0".repeat(64);
    }
    return record.substring(record.length() - 66, record.length() - 2);
  }

  private static String sha256(String content) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256")
              .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
