package dev.portcullis.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chained record format shared by {@link HashChainedAuditSink} and {@link AuditChainVerifier}.
 *
 * <p>A chained record is an audit JSON object whose last three fields are, in this order and with no spaces:
 * {@code "seq":N,"prev":"<64 hex>","hash":"<64 hex>"}. {@code seq} counts from 1; {@code prev} is the {@code hash} of
 * the record before, or {@link #GENESIS} (64 zeros) for the first; {@code hash} is the SHA-256, in lower-case hex, of
 * the record's UTF-8 bytes up to but not including {@code ,"hash":}. So each record carries the SHA-256 of the
 * previous record's content, its own sequence number included.
 */
final class HashChain {
  static final String GENESIS = "0".repeat(64);
  /** {@code ,"hash":"} + 64 hex + {@code "}}: the fixed-length end of every chained record. */
  static final int HASH_SUFFIX_BYTES = 9 + 64 + 2;

  private static final Pattern TAIL = Pattern.compile(
      ",\"seq\":(0|[1-9][0-9]{0,18}),\"prev\":\"([0-9a-f]{64})\",\"hash\":\"([0-9a-f]{64})\"}$");
  private static final HexFormat HEX = HexFormat.of();

  private HashChain() {}

  /** The parsed chain fields of one line, or null if the line does not end like a chained record. */
  record Link(long seq, String prev, String hash, String computed) {
    boolean selfConsistent() {
      return hash.equals(computed);
    }
  }

  /** The {@code hash} of a chained record, read from its fixed-length end without parsing it. */
  static String hashOf(byte[] line) {
    return new String(line, line.length - HASH_SUFFIX_BYTES + 9, 64, StandardCharsets.US_ASCII);
  }

  static Link parse(byte[] line) {
    if (line.length < HASH_SUFFIX_BYTES) {
      return null;
    }
    // The tail is ASCII by construction; decode only the end (at most 7+19+9+64+1+75 = 175 bytes)
    // so a long record costs nothing extra.
    int tailStart = Math.max(0, line.length - 192);
    String tail = new String(line, tailStart, line.length - tailStart, StandardCharsets.ISO_8859_1);
    Matcher m = TAIL.matcher(tail);
    if (!m.find()) {
      return null;
    }
    long seq;
    try {
      seq = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
    String computed = sha256Hex(line, line.length - HASH_SUFFIX_BYTES);
    return new Link(seq, m.group(2), m.group(3), computed);
  }

  static String sha256Hex(byte[] bytes, int length) {
    MessageDigest digest = sha256();
    digest.update(bytes, 0, length);
    return HEX.formatHex(digest.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
  }
}
