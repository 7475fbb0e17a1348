package dev.portcullis.login;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the browser may be sent after a login: a relative path on this site, never anywhere else.
 *
 * <p><b>Security.</b> Refuses anything with a scheme, a host ({@code //evil}), a backslash, a control or non-ASCII
 * character, or more than 1,024 characters, so a {@code returnTo} parameter cannot make the portal an open redirect.
 */
public final class SafeRedirect {
  private SafeRedirect() {}

  /** Whether {@code target} is a relative path on this site that the browser may be sent to. */
  public static boolean isSafe(String target) {
    if (target == null || target.isEmpty() || target.length() > 1024 || target.charAt(0) != '/') {
      return false;
    }
    if (target.length() > 1 && (target.charAt(1) == '/' || target.charAt(1) == '\\')) {
      return false;
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c < 0x21 || c >= 0x7f || c == '\\') {
        return false;
      }
    }
    return true;
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
