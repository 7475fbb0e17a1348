package dev.portcullis.audit;

import dev.portcullis.crypto.KeyedMac;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One checkpoint of a hash-chained audit file: a line of {@code <file>.checkpoints} that vouches, under a key of the
 * key ring, for the state of the chain after one record.
 *
 * <p>The line is exactly {@code {"kind":"audit_checkpoint","seq":N,"offset":B,"hash":"<64 hex>","every":E,
 * "tag":"<43 base64url>"}} (no spaces): record {@code seq} ends at byte {@code offset} of the log (its newline
 * included, so the next record starts there) and its {@code hash} is as {@link HashChain} computes it; {@code every}
 * is how many records the sink lets pass between checkpoints. {@code tag} is the HMAC-SHA256 ({@link KeyedMac},
 * purpose {@code audit-checkpoint}) of the line's UTF-8 bytes before {@code ,"tag":}.
 */
record AuditCheckpoint(long seq, long offset, String hash, long every) {
  static final String KIND = "audit_checkpoint";
  /** The end of the name of the file beside a chained log that holds its checkpoints. */
  private static final String SUFFIX = ".checkpoints";
  /** The longest checkpoint line, without its newline; a real one is about 200 bytes. */
  static final int MAX_LINE = 400;

  private static final Pattern LINE = Pattern.compile(
      "\\{\"kind\":\"audit_checkpoint\",\"seq\":([1-9][0-9]{0,18}),\"offset\":([1-9][0-9]{0,18}),"
          + "\"hash\":\"([0-9a-f]{64})\",\"every\":([1-9][0-9]{0,9}),\"tag\":\"([A-Za-z0-9_-]{43})\"\\}");

  /** The file beside {@code log} that holds its checkpoints: {@code <log>.checkpoints}. */
  static Path fileOf(Path log) {
    return log.resolveSibling(log.getFileName() + SUFFIX);
  }

  /** The text the tag covers. */
  String content() {
    return "{\"kind\":\"" + KIND + "\",\"seq\":" + seq + ",\"offset\":" + offset + ",\"hash\":\""
        + hash + "\",\"every\":" + every;
  }

  /** The whole line, without its newline, tagged under the active key. */
  byte[] line(KeyedMac mac) {
    String content = content();
    String tag = mac.tag(content.getBytes(StandardCharsets.UTF_8));
    return (content + ",\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  /** A parsed line whose tag may or may not verify. */
  record Parsed(AuditCheckpoint checkpoint, String tag) {
    boolean verifies(KeyedMac mac) {
      return mac.verify(checkpoint.content().getBytes(StandardCharsets.UTF_8), tag);
    }
  }

  /** The checkpoint a line holds, or null if it is not exactly a checkpoint line. */
  static Parsed parse(byte[] line) {
    if (line.length > MAX_LINE) {
      return null;
    }
    Matcher m = LINE.matcher(new String(line, StandardCharsets.ISO_8859_1));
    if (!m.matches()) {
      return null;
    }
    try {
      return new Parsed(
          new AuditCheckpoint(
              Long.parseLong(m.group(1)),
              Long.parseLong(m.group(2)),
              m.group(3),
              Long.parseLong(m.group(4))),
          m.group(5));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
