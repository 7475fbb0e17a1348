package dev.portcullis.examples.portal;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to start the portal: {@code --https-port} (8443), {@code --http-port} (8080, redirects to HTTPS) and
 * {@code --data-dir} (./portal-data), or the environment variables {@code PORTAL_HTTPS_PORT}, {@code PORTAL_HTTP_PORT}
 * and {@code PORTAL_DATA_DIR}. Arguments win over the environment. Port 0 picks a free port. Single sign-on is off
 * unless {@link SsoOptions} says otherwise.
 */
record PortalOptions(int httpsPort, int httpPort, Path dataDir, SsoOptions sso) {
  static final String USAGE = "options: [--https-port N] [--http-port N] [--data-dir DIR]"
      + " (or PORTAL_HTTPS_PORT, PORTAL_HTTP_PORT, PORTAL_DATA_DIR) " + SsoOptions.USAGE;

  /** Without single sign-on. */
  PortalOptions(int httpsPort, int httpPort, Path dataDir) {
    this(httpsPort, httpPort, dataDir, SsoOptions.OFF);
  }

  PortalOptions {
    checkPort("https port", httpsPort);
    checkPort("http port", httpPort);
    Objects.requireNonNull(sso, "sso");
    if (httpsPort != 0 && httpsPort == httpPort) {
      throw new IllegalArgumentException("the HTTPS and HTTP ports must differ");
    }
  }

  /** @throws IllegalArgumentException with a message for the user when an option is unknown or malformed */
  static PortalOptions parse(String[] args, Map<String, String> env) {
    String https = env.getOrDefault("PORTAL_HTTPS_PORT", "8443");
    String http = env.getOrDefault("PORTAL_HTTP_PORT", "8080");
    String dir = env.getOrDefault("PORTAL_DATA_DIR", "portal-data");
    Map<String, String> sso = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("missing value after " + arg + "; " + USAGE);
      }
      switch (arg) {
        case "--https-port" -> https = value;
        case "--http-port" -> http = value;
        case "--data-dir" -> dir = value;
        case "--sso", "--sso-issuer", "--sso-client-id" -> sso.put(arg, value);
        default -> throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
      }
    }
    if (dir.isBlank()) {
      throw new IllegalArgumentException("the data folder must not be empty; " + USAGE);
    }
    return new PortalOptions(
        port("https port", https),
        port("http port", http),
        Path.of(dir),
        SsoOptions.parse(sso, env));
  }

  private static int port(String what, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be a number, got '" + text + "'; " + USAGE);
    }
  }

  private static void checkPort(String what, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(what + " must be 0 to 65535, got " + port);
    }
  }
}
