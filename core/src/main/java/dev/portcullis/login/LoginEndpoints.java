package dev.portcullis.login;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;

/**
 * The paths of the login, logout, "log out everywhere" and terms endpoints, and where a login without a (safe) return
 * target goes. All relative to the context path. Built and checked by {@link PortalLogin.Builder}.
 *
 * @param loginPath the login form: {@code GET} shows it, {@code POST} logs in (default {@code /login})
 * @param logoutPath {@code POST} logs out (default {@code /logout})
 * @param logoutEverywherePath {@code POST} ends every login of the user (default {@code /logout-everywhere})
 * @param termsPath the terms of use; {@code POST} accepts them (default {@code /terms})
 * @param afterLoginPath where a login goes without a safe {@code returnTo} (default {@code /})
 */
public record LoginEndpoints(
    String loginPath,
    String logoutPath,
    String logoutEverywherePath,
    String termsPath,
    String afterLoginPath) {

  /**
   * Checks the paths.
   *
   * @throws IllegalStateException when a path is not a relative path such as {@code /login}, or two endpoints share
   *     one path
   */
  public LoginEndpoints {
    for (String p :
        new String[] {loginPath, logoutPath, logoutEverywherePath, termsPath, afterLoginPath}) {
      if (!SafeRedirect.isSafe(p)) {
        throw new IllegalStateException(
            "endpoint paths must be relative paths such as /login, got '" + p + "'");
      }
    }
    // Not Set.of, which refuses a duplicate element with a message naming no endpoint.
    if (new HashSet<>(Arrays.asList(loginPath, logoutPath, logoutEverywherePath, termsPath)).size()
        != 4) {
      throw new IllegalStateException(
          "the login, logout, logout-everywhere and terms paths must differ");
    }
  }

  /** Whether {@code path} is the logout or the "log out everywhere" endpoint. */
  public boolean isLogout(String path) {
    return Objects.equals(path, logoutPath) || Objects.equals(path, logoutEverywherePath);
  }
}
