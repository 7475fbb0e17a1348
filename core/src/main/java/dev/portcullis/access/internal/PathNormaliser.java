package dev.portcullis.access.internal;

import java.util.Locale;
import java.util.Optional;

/**
 * Turns a raw request path (as sent, still percent-encoded, without the query) into the one form access rules match,
 * or refuses it. Anything that different servers could read differently is refused rather than guessed:
 *
 * <ul>
 *   <li>no path parameters ({@code ;}, as in {@code ..;/} or {@code ;jsessionid=}), backslashes, control characters
 *       or non-ASCII characters, raw or percent-encoded;
 *   <li>no encoded slash ({@code %2f}), no double encoding ({@code %25}), no malformed escapes;
 *   <li>no empty, {@code .} or {@code ..} segments, and no segment ending in a dot or a space (Windows drops them);
 *   <li>at most {@value #MAX_LENGTH} characters.
 * </ul>
 *
 * Escapes of other printable characters are decoded once. The result is lower case ({@link Locale#ROOT}), so rules
 * also hold on case-insensitive back ends. A trailing slash is kept; rules that match a path decide its form without
 * the slash too ({@link #withoutTrailingSlash}), as many back ends serve {@code /x/} as {@code /x}.
 */
public final class PathNormaliser {
  public static final int MAX_LENGTH = 2048;

  private PathNormaliser() {}

  public static Optional<String> normalise(String rawPath) {
    return decoded(rawPath).map(p -> p.toLowerCase(Locale.ROOT));
  }

  /**
   * As {@link #normalise}, in the letter case the path was sent: what {@link #normalise} would lower-case. As only
   * ASCII is accepted, both have the same length, character for character.
   */
  public static Optional<String> decoded(String rawPath) {
    if (rawPath == null
        || rawPath.isEmpty()
        || rawPath.length() > MAX_LENGTH
        || rawPath.charAt(0) != '/') {
      return Optional.empty();
    }
    // One pass: decode, refuse bad characters, and check each segment as it ends. Without escapes
    // the decoded path is the raw one, so the common request allocates nothing until the
    // lower-casing (which returns the same string when there is nothing to lower).
    StringBuilder decoded =
        rawPath.indexOf('%') < 0 ? null : new StringBuilder(rawPath.length()).append('/');
    int segmentLength = 0;
    char first = 0;
    char previous = '/';
    for (int i = 1; i <= rawPath.length(); i++) {
      char c;
      if (i == rawPath.length()) {
        c = '/'; // closes the last segment
      } else {
        c = rawPath.charAt(i);
        if (c == '%') {
          if (i + 2 >= rawPath.length()) {
            return Optional.empty();
          }
          int hi = Character.digit(rawPath.charAt(i + 1), 16);
          int lo = Character.digit(rawPath.charAt(i + 2), 16);
          if (hi < 0 || lo < 0) {
            return Optional.empty();
          }
          c = (char) (hi * 16 + lo);
          if (c == '/' || c == '%') {
            return Optional.empty(); // an encoded slash or a double encoding
          }
          i += 2;
        }
        if (c < 0x21 && c != ' ' || c >= 0x7f || c == ';' || c == '\\') {
          return Optional.empty();
        }
      }
      if (c == '/') {
        boolean last = i >= rawPath.length();
        if (segmentLength == 0 && !last) {
          return Optional.empty(); // "//"
        }
        // ".", ".." and any segment ending in a dot or a space, or starting with a space
        if (segmentLength > 0 && (previous == '.' || previous == ' ' || first == ' ')) {
          return Optional.empty();
        }
        segmentLength = 0;
      } else {
        if (segmentLength == 0) {
          first = c;
        }
        segmentLength++;
      }
      previous = c;
      if (decoded != null && i < rawPath.length()) {
        decoded.append(c);
      }
    }
    return Optional.of(decoded == null ? rawPath : decoded.toString());
  }

  /**
   * {@code path} (normalised) without its trailing slash, or {@code path} itself when it has none or is the root:
   * {@code /reports/7/} gives {@code /reports/7}. JAX-RS, Javalin and others serve both forms alike, so a rule that
   * holds for one must hold for the other.
   */
  public static String withoutTrailingSlash(String path) {
    int last = path.length() - 1;
    return last > 0 && path.charAt(last) == '/' ? path.substring(0, last) : path;
  }
}
