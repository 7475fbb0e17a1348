package dev.portcullis.cookie;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names of the cookies Portcullis declares by default, made from one prefix: {@code __Host-<prefix>-sid} (session),
 * {@code -auth} (auth key), {@code -cc} (cookie check) and {@code -sso} (SSO upgrade). The default prefix is
 * {@value #DEFAULT_PREFIX}.
 *
 * <p>Browsers keep one cookie per name, host and path, and a {@code __Host-} cookie always has {@code Path=/}: two
 * applications on one host (two servlet contexts, {@code /providers} and {@code /staff}) that keep the default names
 * receive each other's cookies and overwrite them, so a login to one ends the other's. Each application on a shared
 * host takes a prefix of its own ({@code withPrefix("staff")}), which keeps the {@code __Host-} prefix and its guarantees.
 *
 * @param session the session cookie's name
 * @param auth the auth-key cookie's name
 * @param cookieCheck the cookie-check cookie's name
 * @param sso the SSO-upgrade cookie's name
 */
public record CookieNames(String session, String auth, String cookieCheck, String sso) {
  /** The prefix of the default names: {@code __Host-portcullis-sid} and so on. */
  public static final String DEFAULT_PREFIX = "portcullis";

  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final CookieNames DEFAULTS = withPrefix(DEFAULT_PREFIX);

  public CookieNames {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(cookieCheck, "cookieCheck");
    Objects.requireNonNull(sso, "sso");
  }

  /** The names Portcullis uses unless told otherwise. */
  public static CookieNames defaults() {
    return DEFAULTS;
  }

  /**
   * The names made from {@code prefix}: {@code __Host-<prefix>-sid}, {@code -auth}, {@code -cc} and {@code -sso}.
   *
   * @throws IllegalStateException unless the prefix is 1 to 64 ASCII letters, digits, {@code -} or {@code _}, starting
   *     with a letter or digit
   */
  public static CookieNames withPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalStateException(
          "a cookie name prefix must be 1 to 64 ASCII letters, digits, '-' or '_', starting with a letter or"
              + " digit (such as the application's name: staff)");
    }
    String start = CookieSpec.HOST_PREFIX + prefix;
    return new CookieNames(start + "-sid", start + "-auth", start + "-cc", start + "-sso");
  }

  /** The four names, session first. */
  public List<String> all() {
    return List.of(session, auth, cookieCheck, sso);
  }

  /** True when {@code name} is one of the default names, which every application on the host shares. */
  public static boolean isDefault(String name) {
    return DEFAULTS.all().contains(name);
  }
}
