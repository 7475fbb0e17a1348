package dev.portcullis.examples.portal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/**
 * Whether and how the portal offers single sign-on.
 *
 * <ul>
 *   <li>{@code off} (the default): no single sign-on, no upgrade cookie, the portal exactly as without this option.
 *   <li>{@code dev}: a development OpenID provider started on loopback beside the portal ({@link DevelopmentProvider}),
 *       whose login page signs in whatever name is typed.
 *   <li>{@code provider}: a real OpenID provider, named by its issuer URL and this portal's client id there; the
 *       client secret comes from the environment only ({@code PORTAL_SSO_CLIENT_SECRET}), never from the command
 *       line, where other users of the machine could read it.
 * </ul>
 *
 * <p>Arguments {@code --sso off|dev|provider}, {@code --sso-issuer URL}, {@code --sso-client-id ID}, or the variables
 * {@code PORTAL_SSO}, {@code PORTAL_SSO_ISSUER}, {@code PORTAL_SSO_CLIENT_ID}; an issuer alone means
 * {@code provider}.
 *
 * <p><b>Security.</b> {@link #toString()} never shows the client secret.
 *
 * @param issuer the provider's issuer URL ({@code provider} only)
 * @param clientId this portal's client id at the provider ({@code provider} only)
 * @param clientSecret this portal's client secret at the provider ({@code provider} only)
 */
record SsoOptions(Mode mode, URI issuer, String clientId, String clientSecret) {
  /** How single sign-on is provided. */
  enum Mode {
    OFF,
    DEV,
    PROVIDER
  }

  static final SsoOptions OFF = new SsoOptions(Mode.OFF, null, null, null);
  static final SsoOptions DEV = new SsoOptions(Mode.DEV, null, null, null);

  /** The command-line options this record reads; {@link PortalOptions} hands them over. */
  static final String USAGE =
      "[--sso off|dev|provider] [--sso-issuer URL] [--sso-client-id ID] (or PORTAL_SSO,"
          + " PORTAL_SSO_ISSUER, PORTAL_SSO_CLIENT_ID; the client secret only in"
          + " PORTAL_SSO_CLIENT_SECRET)";

  SsoOptions {
    if (mode == Mode.PROVIDER) {
      if (issuer == null || blank(clientId) || blank(clientSecret)) {
        throw new IllegalArgumentException(
            "single sign-on with a provider needs its issuer URL (--sso-issuer), this portal's client id"
                + " (--sso-client-id) and client secret (PORTAL_SSO_CLIENT_SECRET in the environment)");
      }
    } else if (issuer != null || clientId != null || clientSecret != null) {
      throw new IllegalArgumentException(
          "an issuer, client id or secret belongs with --sso provider only");
    }
  }

  /**
   * Reads the options from the arguments given ({@code --sso}, {@code --sso-issuer}, {@code --sso-client-id}) and the
   * environment; arguments win.
   *
   * @throws IllegalArgumentException with a message for the user (that never contains the secret)
   */
  static SsoOptions parse(Map<String, String> args, Map<String, String> env) {
    String issuer = args.getOrDefault("--sso-issuer", env.get("PORTAL_SSO_ISSUER"));
    String clientId = args.getOrDefault("--sso-client-id", env.get("PORTAL_SSO_CLIENT_ID"));
    String mode = args.getOrDefault(
        "--sso", env.getOrDefault("PORTAL_SSO", blank(issuer) ? "off" : "provider"));
    switch (mode.strip().toLowerCase(Locale.ROOT)) {
      case "off" -> {
        return OFF;
      }
      case "dev" -> {
        if (!blank(issuer) && args.containsKey("--sso-issuer")) {
          throw new IllegalArgumentException(
              "--sso dev starts its own provider: leave out --sso-issuer");
        }
        return DEV;
      }
      case "provider" -> {
        if (blank(issuer)) {
          throw new IllegalArgumentException(
              "--sso provider needs the provider's issuer URL (--sso-issuer or PORTAL_SSO_ISSUER)");
        }
        return new SsoOptions(
            Mode.PROVIDER,
            issuer(issuer.strip()),
            blank(clientId) ? null : clientId.strip(),
            env.get("PORTAL_SSO_CLIENT_SECRET"));
      }
      default ->
        throw new IllegalArgumentException(
            "--sso must be off, dev or provider, got '" + mode + "'; " + USAGE);
    }
  }

  private static URI issuer(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("the issuer must be a URL, got '" + text + "'");
    }
    if (!uri.isAbsolute()
        || uri.getHost() == null
        || (!"https".equalsIgnoreCase(uri.getScheme())
            && !"http".equalsIgnoreCase(uri.getScheme()))) {
      throw new IllegalArgumentException(
          "the issuer must be an https URL such as https://login.example/realm, got '" + text
              + "'");
    }
    return uri;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  boolean enabled() {
    return mode != Mode.OFF;
  }

  @Override
  public String toString() {
    return switch (mode) {
      case OFF -> "single sign-on off";
      case DEV -> "single sign-on with the development provider";
      case PROVIDER -> "single sign-on with " + issuer + " as client " + clientId;
    };
  }
}
