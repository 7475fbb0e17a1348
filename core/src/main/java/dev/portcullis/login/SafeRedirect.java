package dev.portcullis.login;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where the browser may be sent after a login: a relative path on this site, never anywhere else.
 *
 * <p><b>Security.</b> Refuses anything with a scheme, a host ({@code //evil}), a backslash, a control or non-ASCII
 * character, or more than 1,024 characters, so a {@code returnTo} parameter cannot make the portal an open redirect.
 * Its path (before any {@code ?} or {@code #}) must besides be one a browser keeps as it is: no empty segment
 * ({@code /a//b}), no dot segment ({@code .} or {@code ..}, also written {@code %2e} or with a {@code ;} parameter, as
 * browsers and servlet containers read them) and no encoded slash or backslash ({@code %2f}, {@code %5c}). Otherwise
 * {@code /.//evil.example} would be sent as it is, and the browser, removing the dot segment, would land on the path
 * {@code //evil.example} of this site: harmless there, but a page that redirects to its own path (as a login
 * redirect does) would make that a link to another host.
 */
public final class SafeRedirect {
  private SafeRedirect() {}

  /** Whether {@code target} is a relative path on this site that the browser may be sent to. */
  public static boolean isSafe(String target) {
    if (target == null || target.isEmpty() || target.length() > 1024 || target.charAt(0) != '/') {
      return false;
    }
    int pathEnd = target.length();
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c < 0x21 || c >= 0x7f || c == '\\') {
        return false;
      }
      if ((c == '?' || c == '#') && pathEnd == target.length()) {
        pathEnd = i;
      }
    }
    return isPlainPath(target.substring(0, pathEnd));
  }

  /**
   * Whether {@code path} (starting with {@code /}) has only segments that name themselves: none empty (which also
   * refuses a host, {@code //evil}), none a dot segment, no encoded slash or backslash.
   */
  private static boolean isPlainPath(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c")) {
      return false;
    }
    int start = 1;
    while (start <= lower.length()) {
      int end = lower.indexOf('/', start);
      if (end < 0) {
        end = lower.length();
      }
      String segment = lower.substring(start, end);
      if (segment.isEmpty() && end < lower.length() || isDotSegment(segment)) {
        return false;
      }
      start = end + 1;
    }
    return true;
  }

  /** Whether {@code segment} (lower-case) is {@code .} or {@code ..}, written with {@code %2e} or with parameters. */
  private static boolean isDotSegment(String segment) {
    int parameters = segment.indexOf(';');
    String name = (parameters < 0 ? segment : segment.substring(0, parameters)).replace("%2e", ".");
    return name.equals(".") || name.equals("..");
  }

  /**
   * {@code loginPage} (a path, without a query) with {@code returnTo=} {@code target}, URL-encoded, when the target is
   * {@linkplain #isSafe safe}; the login page alone otherwise, since the login handler would not follow the target.
   */
  public static String withReturnTo(String loginPage, String target) {
    return isSafe(target)
        ? loginPage + "?returnTo=" + URLEncoder.encode(target, StandardCharsets.UTF_8)
        : loginPage;
  }
}
