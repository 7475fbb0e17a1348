package dev.portcullis.login.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Synchronizer tokens against cross-site request forgery: 32 random bytes, base64url, kept in the server-side session
 * and compared in constant time with the value a form field or header presents.
 */
public final class CsrfToken {
  /** Tokens longer than this are refused before comparing. */
  static final int MAX_PRESENTED = 128;

  private CsrfToken() {}

  public static String generate(SecureRandom random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Whether {@code presented} equals {@code expected}; false when either is missing. */
  public static boolean matches(String expected, String presented) {
    if (expected == null
        || presented == null
        || presented.length() > MAX_PRESENTED
        || expected.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
  }
}
