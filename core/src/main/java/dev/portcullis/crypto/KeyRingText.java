package dev.portcullis.crypto;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;

/**
 * The text form of a key ring, used by key files and the environment variable:
 *
 * <pre>
 * portcullis-keyring 1
 * key 0a1b2c3d ACTIVE 2026-01-01T00:00:00Z &lt;43 base64url characters&gt;
 * key 9f8e7d6c DECRYPT_ONLY 2025-10-01T00:00:00Z &lt;...&gt;
 * </pre>
 *
 * Blank lines and lines starting with {@code #} are ignored; {@code ;} also ends a line, for environment variables
 * ({@link #formatEnvironment}); a line may end in CR LF, and a byte order mark at the start is ignored. The header line
 * is optional; when present it must name format 1.
 */
final class KeyRingText {
  static final String HEADER = "portcullis-keyring 1";

  private KeyRingText() {}

  static KeyRing parse(String text, String source) {
    KeyRing.Builder builder = KeyRing.builder();
    // A byte order mark, which some editors write at the start of a UTF-8 file, is not part of the
    // first line.
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String[] lines = text.split("\\r?\\n|;", -1);
    boolean any = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      String where = source + ", entry " + (i + 1);
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("portcullis-keyring")) {
        if (!line.equals(HEADER)) {
          throw new InvalidKeyRingException(
              where + ": unsupported key ring format (this version reads format 1)");
        }
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != 5 || !f[0].equals("key")) {
        throw new InvalidKeyRingException(
            where
                + ": expected 'key <8 hex id> <ACTIVE|DECRYPT_ONLY|REVOKED> <ISO-8601 time> <base64url secret>'");
      }
      int id;
      try {
        id = KeyInfo.parseId(f[1].toLowerCase(Locale.ROOT));
      } catch (InvalidKeyRingException e) {
        throw new InvalidKeyRingException(where + ": " + e.getMessage());
      }
      KeyStatus status;
      try {
        status = KeyStatus.valueOf(f[2].toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidKeyRingException(
            where + ": unknown status; use ACTIVE, DECRYPT_ONLY or REVOKED");
      }
      Instant created;
      try {
        created = Instant.parse(f[3]);
      } catch (DateTimeParseException e) {
        throw new InvalidKeyRingException(
            where + ": creation time is not an ISO-8601 instant such as 2026-01-01T00:00:00Z");
      }
      byte[] secret;
      try {
        secret = Base64.getUrlDecoder().decode(f[4]);
      } catch (IllegalArgumentException e) {
        // The exception message would quote the offending character of the secret: leave it out.
        throw new InvalidKeyRingException(where + ": the secret is not base64url");
      }
      if (secret.length < KeyMaterial.MIN_LENGTH) {
        throw new InvalidKeyRingException(where + ": key " + f[1] + " has " + secret.length
            + " bytes; keys need at least " + KeyMaterial.MIN_LENGTH + " bytes (256 bits)");
      }
      builder.add(id, status, created, KeyMaterial.copyOf(secret));
      java.util.Arrays.fill(secret, (byte) 0);
      any = true;
    }
    if (!any) {
      throw new InvalidKeyRingException(source + ": no keys found");
    }
    try {
      return builder.build();
    } catch (InvalidKeyRingException e) {
      throw new InvalidKeyRingException(source + ": " + e.getMessage());
    }
  }

  static String format(KeyRing ring) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "# Portcullis key ring. Secret: readable by the service account only. Manage with KeyTool.\n");
    sb.append(HEADER).append('\n');
    for (KeyInfo k : ring.keys()) {
      appendKey(sb, ring, k);
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * The same ring on one line, for the environment variable: the header and one entry per key, separated by
   * {@code ;}, without the comment or a line end. {@link #parse} reads it back to the same ring.
   */
  static String formatEnvironment(KeyRing ring) {
    StringBuilder sb = new StringBuilder(HEADER);
    for (KeyInfo k : ring.keys()) {
      appendKey(sb.append(';'), ring, k);
    }
    return sb.toString();
  }

  private static void appendKey(StringBuilder sb, KeyRing ring, KeyInfo k) {
    byte[] secret =
        ring.material(k.id(), SecretAccess.insecure()).toByteArray(SecretAccess.insecure());
    sb.append("key ")
        .append(k.idHex())
        .append(' ')
        .append(k.status())
        .append(' ')
        .append(k.createdAt())
        .append(' ')
        .append(Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    java.util.Arrays.fill(secret, (byte) 0);
  }
}
