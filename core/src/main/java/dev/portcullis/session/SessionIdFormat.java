package dev.portcullis.session;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * How session identifiers look in the cookie. The format is checked before any store access, so a malformed cookie
 * never costs a store round trip.
 *
 * <p><b>Security.</b> Both formats carry at least 120 bits from the injected {@link SecureRandom}. Parsing accepts
 * exactly the shape the format generates (length, alphabet, canonical last character) and nothing else.
 */
public enum SessionIdFormat {
  /** The default: 32 random bytes, base64url without padding (43 characters). */
  BASE64URL(43) {
    @Override
    String encode(byte[] random) {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    @Override
    int randomBytes() {
      return 32;
    }

    @Override
    boolean accepts(String value) {
      boolean[] alphabet = BASE64URL_CHARS;
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c >= alphabet.length || !alphabet[c]) {
          return false;
        }
      }
      // 256 bits fill 42 characters and 4 bits of the 43rd: its two low bits are zero in the
      // canonical form.
      return (base64UrlIndex(value.charAt(value.length() - 1)) & 3) == 0;
    }
  },

  /**
   * For a ported ASP.NET portal: 24 characters of {@code a-z0-5} encoding 15 random bytes (120 bits), the shape of
   * ASP.NET's {@code ASP.NET_SessionId}.
   */
  ASPNET(24) {
    @Override
    String encode(byte[] random) {
      return encodeAspNet(random);
    }

    @Override
    int randomBytes() {
      return 15;
    }

    @Override
    boolean accepts(String value) {
      for (int i = 0; i < value.length(); i++) {
        if (ASPNET_ALPHABET.indexOf(value.charAt(i)) < 0) {
          return false;
        }
      }
      return true;
    }
  };

  static final String ASPNET_ALPHABET = "abcdefghijklmnopqrstuvwxyz012345";

  /** Which ASCII characters are in the base64url alphabet: a table, as every request checks its session id. */
  private static final boolean[] BASE64URL_CHARS = new boolean[128];

  static {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      BASE64URL_CHARS[alphabet.charAt(i)] = true;
    }
  }

  private final int length;

  SessionIdFormat(int length) {
    this.length = length;
  }

  /** The exact number of characters an identifier of this format has. */
  public int length() {
    return length;
  }

  abstract String encode(byte[] random);

  abstract int randomBytes();

  abstract boolean accepts(String value);

  /** A fresh identifier from {@code random}. */
  SessionId generate(SecureRandom random) {
    byte[] bytes = new byte[randomBytes()];
    random.nextBytes(bytes);
    return new SessionId(encode(bytes));
  }

  /**
   * A fresh identifier of this format from {@code random}, as cookie text, that names no session: for a session cookie
   * that must exist before any session does (the login page's, when the session cookie does the cookie check). It
   * never becomes a session's id: {@link SessionRegistry#create()} draws its own.
   */
  public String newCookieValue(SecureRandom random) {
    return generate(random).cookieValue();
  }

  /** True when {@code value} has exactly this format's shape. Never touches a store. */
  public boolean isWellFormed(String value) {
    return value != null && value.length() == length && accepts(value);
  }

  /**
   * ASP.NET's session id encoding: each 5-byte group becomes 8 characters of 5 bits, the first six from the low 30
   * bits of the little-endian 32-bit word, the last two from its top 2 bits followed by the fifth byte.
   */
  static String encodeAspNet(byte[] bytes) {
    if (bytes.length % 5 != 0) {
      throw new IllegalArgumentException("ASP.NET ids encode whole 5-byte groups");
    }
    StringBuilder out = new StringBuilder(bytes.length / 5 * 8);
    for (int g = 0; g < bytes.length; g += 5) {
      int n = (bytes[g] & 0xff)
          | (bytes[g + 1] & 0xff) << 8
          | (bytes[g + 2] & 0xff) << 16
          | (bytes[g + 3] & 0xff) << 24;
      for (int shift = 0; shift <= 25; shift += 5) {
        out.append(ASPNET_ALPHABET.charAt((n >>> shift) & 31));
      }
      int n2 = ((n >>> 30) & 3) | (bytes[g + 4] & 0xff) << 2;
      out.append(ASPNET_ALPHABET.charAt(n2 & 31)).append(ASPNET_ALPHABET.charAt((n2 >>> 5) & 31));
    }
    return out.toString();
  }

  private static int base64UrlIndex(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : 63;
  }
}
