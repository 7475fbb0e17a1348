package dev.portcullis.aspnet.password;

import java.util.Locale;

/**
 * How an ASP.NET portal stored a password: ASP.NET Identity's self-describing hash, or one of SqlMembershipProvider's
 * formats ({@code PasswordFormat} in {@code aspnet_Membership}, with the provider's {@code hashAlgorithmType}).
 *
 * <p>SqlMembershipProvider's hashed format (1) stores {@code base64(H(salt || UTF-16LE(password)))} with a base64
 * salt beside it; for the keyed {@code HMAC*} types the salt is the HMAC key instead, repeated or cut to the
 * algorithm's default key size (64 bytes, 128 for HMACSHA384 and HMACSHA512), and the MAC covers the UTF-16LE
 * password alone.
 *
 * <p><b>Security.</b> {@link #MEMBERSHIP_CLEAR} (format 0) and {@link #MEMBERSHIP_ENCRYPTED} (format 2) exist so that
 * an import can name them, and are always refused by {@link AspNetPasswords#verify}: a clear-text password table is
 * a breach to end, not a format to carry over, and an encrypted one can be read only with the old portal's
 * {@code <machineKey>} decryption key, which a migrated portal should not hold. Reset those users' passwords (or
 * hash the clear-text ones with Portcullis's hasher once, during the import, and never keep the column). MD5, SHA1
 * and the other fast, unsalted-by-design digests are accepted only to verify once and replace.
 */
public enum AspNetHashFormat {
  /**
   * ASP.NET Identity's {@code PasswordHasher}: base64 of a marker byte, {@code 0x00} for V2 (PBKDF2-HMAC-SHA1, 1000
   * iterations, a 16-byte salt, a 32-byte subkey) or {@code 0x01} for V3 (a big-endian header naming the PRF, the
   * iteration count and the salt length, then the salt and the subkey). The salt lives inside the hash.
   */
  IDENTITY(null, null, 0),
  /** SqlMembershipProvider, hashed with MD5. */
  MEMBERSHIP_MD5("MD5", null, 0),
  /** SqlMembershipProvider, hashed with SHA1 (the provider's default before .NET 4). */
  MEMBERSHIP_SHA1("SHA-1", null, 0),
  /** SqlMembershipProvider, hashed with SHA256. */
  MEMBERSHIP_SHA256("SHA-256", null, 0),
  /** SqlMembershipProvider, hashed with SHA384. */
  MEMBERSHIP_SHA384("SHA-384", null, 0),
  /** SqlMembershipProvider, hashed with SHA512. */
  MEMBERSHIP_SHA512("SHA-512", null, 0),
  /** SqlMembershipProvider, keyed HMACMD5 (salt as a 64-byte key). */
  MEMBERSHIP_HMACMD5(null, "HmacMD5", 64),
  /** SqlMembershipProvider, keyed HMACSHA1 (salt as a 64-byte key). */
  MEMBERSHIP_HMACSHA1(null, "HmacSHA1", 64),
  /** SqlMembershipProvider, keyed HMACSHA256 (salt as a 64-byte key). */
  MEMBERSHIP_HMACSHA256(null, "HmacSHA256", 64),
  /** SqlMembershipProvider, keyed HMACSHA384 (salt as a 128-byte key). */
  MEMBERSHIP_HMACSHA384(null, "HmacSHA384", 128),
  /** SqlMembershipProvider, keyed HMACSHA512 (salt as a 128-byte key). */
  MEMBERSHIP_HMACSHA512(null, "HmacSHA512", 128),
  /** SqlMembershipProvider's clear-text format (0): always refused. */
  MEMBERSHIP_CLEAR(null, null, 0),
  /** SqlMembershipProvider's encrypted format (2): always refused. */
  MEMBERSHIP_ENCRYPTED(null, null, 0);

  private static final String DOTNET_NAMESPACE = "system.security.cryptography.";

  final String digest;
  final String mac;
  final int macKeyLength;

  AspNetHashFormat(String digest, String mac, int macKeyLength) {
    this.digest = digest;
    this.mac = mac;
    this.macKeyLength = macKeyLength;
  }

  /**
   * The format of an {@code aspnet_Membership} row: its {@code PasswordFormat} (0 clear, 1 hashed, 2 encrypted) and
   * the provider's {@code hashAlgorithmType} as written in {@code web.config} ({@code SHA1}, {@code HMACSHA256},
   * ...; case-insensitive, with or without the {@code System.Security.Cryptography.} namespace). The algorithm is
   * ignored for formats 0 and 2.
   *
   * @throws IllegalArgumentException for another format number or an unknown algorithm: a configuration or import
   *     error, to be reported when the rows are read, not at login
   */
  public static AspNetHashFormat membership(int passwordFormat, String hashAlgorithmType) {
    if (passwordFormat == 0) {
      return MEMBERSHIP_CLEAR;
    }
    if (passwordFormat == 2) {
      return MEMBERSHIP_ENCRYPTED;
    }
    if (passwordFormat != 1) {
      throw new IllegalArgumentException(
          "unknown SqlMembershipProvider PasswordFormat " + passwordFormat + " (0, 1 or 2)");
    }
    String name =
        hashAlgorithmType == null ? "" : hashAlgorithmType.trim().toLowerCase(Locale.ROOT);
    if (name.startsWith(DOTNET_NAMESPACE)) {
      name = name.substring(DOTNET_NAMESPACE.length());
    }
    for (AspNetHashFormat f : values()) {
      if ((f.digest != null || f.mac != null)
          && f.name().substring("MEMBERSHIP_".length()).toLowerCase(Locale.ROOT).equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown SqlMembershipProvider hashAlgorithmType '"
            + hashAlgorithmType
            + "' (MD5, SHA1, SHA256, SHA384, SHA512, HMACMD5, HMACSHA1, HMACSHA256, HMACSHA384, HMACSHA512)");
  }
}
