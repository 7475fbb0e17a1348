package dev.portcullis.access;

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
 * also hold on case-insensitive back ends. A trailing slash is kept.
 */
public final class PathNormaliser {
  public static final int MAX_LENGTH = 2048;

  private PathNormaliser() {}

  public static Optional<String> normalise(String rawPath) {
    if (rawPath == null || rawPath.isEmpty() || rawPath.length() > MAX_LENGTH || rawPath.charAt(0) != '/') {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
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
      out.append(c);
    }
    String path = out.toString();
    String[] segments = path.substring(1).split("/", -1);
    for (int s = 0; s < segments.length; s++) {
      String seg = segments[s];
      boolean last = s == segments.length - 1;
      if (seg.isEmpty() && !last) {
        return Optional.empty(); // "//"
      }
      if (seg.equals(".") || seg.equals("..") || seg.endsWith(".") || seg.endsWith(" ") || seg.startsWith(" ")) {
        return Optional.empty();
      }
    }
    return Optional.of(path.toLowerCase(Locale.ROOT));
  }
}
