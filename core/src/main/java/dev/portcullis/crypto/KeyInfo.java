package dev.portcullis.crypto;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** What may be said about a key without its secret: id, status and creation time. */
public record KeyInfo(int id, KeyStatus status, Instant createdAt) {
  public KeyInfo {
    java.util.Objects.requireNonNull(status, "status");
    java.util.Objects.requireNonNull(createdAt, "createdAt");
  }

  /** The id as eight lower-case hex digits, the form used in key files and tool output. */
  public String idHex() {
    return formatId(id);
  }

  /** How old the key is at {@code now}; never negative. */
  public Duration age(Instant now) {
    Duration d = Duration.between(createdAt, now);
    return d.isNegative() ? Duration.ZERO : d;
  }

  static String formatId(int id) {
    return String.format(Locale.ROOT, "%08x", id);
  }

  static int parseId(String hex) {
    if (hex.length() != 8
        || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new InvalidKeyRingException(
          "a key id must be 8 lower-case hex digits, got " + hex.length() + " characters");
    }
    return Integer.parseUnsignedInt(hex, 16);
  }
}
