package dev.portcullis.examples.portal;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to start the portal: {@code --https-port} (8443), {@code --http-port} (8080, redirects to HTTPS),
 * {@code --data-dir} (./portal-data) and {@code --profile} ({@code standard}, or {@code aspnet} for a ported
 * portal's cookies: {@link PortalProfile}), or the environment variables {@code PORTAL_HTTPS_PORT},
 * {@code PORTAL_HTTP_PORT}, {@code PORTAL_DATA_DIR} and {@code PORTAL_PROFILE}. Arguments win over the environment.
 * Port 0 picks a free port.
 *
 * <p>{@code --database-url} ({@code PORTAL_DATABASE_URL}), a {@code jdbc:postgresql://} URL, keeps sessions,
 * revocations and login budgets in PostgreSQL (see {@link PortalStores}); null keeps them in memory. The database
 * user and password come from the environment only, never from the command line or the URL.
 *
 * <p>Single sign-on is off unless {@link SsoOptions} says otherwise; so is the cut-over from an ASP.NET portal's
 * login cookie, unless {@link LegacyOptions} (null when off) says otherwise.
 */
record PortalOptions(
    int httpsPort,
    int httpPort,
    Path dataDir,
    PortalProfile profile,
    String databaseUrl,
    SsoOptions sso,
    LegacyOptions legacy) {
  static final String USAGE = "options: [--https-port N] [--http-port N] [--data-dir DIR]"
      + " [--profile standard|aspnet] [--database-url jdbc:postgresql://HOST:PORT/DB]"
      + " (or PORTAL_HTTPS_PORT, PORTAL_HTTP_PORT, PORTAL_DATA_DIR, PORTAL_PROFILE,"
      + " PORTAL_DATABASE_URL) " + SsoOptions.USAGE + " " + LegacyOptions.USAGE;

  /** Without the legacy cut-over. */
  PortalOptions(
      int httpsPort,
      int httpPort,
      Path dataDir,
      PortalProfile profile,
      String databaseUrl,
      SsoOptions sso) {
    this(httpsPort, httpPort, dataDir, profile, databaseUrl, sso, null);
  }

  /** Without single sign-on. */
  PortalOptions(
      int httpsPort, int httpPort, Path dataDir, PortalProfile profile, String databaseUrl) {
    this(httpsPort, httpPort, dataDir, profile, databaseUrl, SsoOptions.OFF);
  }

  /** The standard profile, in memory, without single sign-on. */
  PortalOptions(int httpsPort, int httpPort, Path dataDir) {
    this(httpsPort, httpPort, dataDir, PortalProfile.STANDARD, null, SsoOptions.OFF);
  }

  /** In memory, without single sign-on. */
  PortalOptions(int httpsPort, int httpPort, Path dataDir, PortalProfile profile) {
    this(httpsPort, httpPort, dataDir, profile, null, SsoOptions.OFF);
  }

  /** The standard profile, without single sign-on. */
  PortalOptions(int httpsPort, int httpPort, Path dataDir, String databaseUrl) {
    this(httpsPort, httpPort, dataDir, PortalProfile.STANDARD, databaseUrl, SsoOptions.OFF);
  }

  /** The standard profile, in memory. */
  PortalOptions(int httpsPort, int httpPort, Path dataDir, SsoOptions sso) {
    this(httpsPort, httpPort, dataDir, PortalProfile.STANDARD, null, sso);
  }

  /** In memory. */
  PortalOptions(int httpsPort, int httpPort, Path dataDir, PortalProfile profile, SsoOptions sso) {
    this(httpsPort, httpPort, dataDir, profile, null, sso);
  }

  /** These options with the legacy cut-over {@code legacy} (null for none). */
  PortalOptions withLegacy(LegacyOptions legacy) {
    return new PortalOptions(httpsPort, httpPort, dataDir, profile, databaseUrl, sso, legacy);
  }

  PortalOptions {
    Objects.requireNonNull(profile, "profile");
    PortalStores.checkDatabaseUrl(databaseUrl);
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
    String profile = env.getOrDefault("PORTAL_PROFILE", PortalProfile.STANDARD.optionName());
    String database = env.get("PORTAL_DATABASE_URL");
    Map<String, String> sso = new HashMap<>();
    Map<String, String> legacy = new HashMap<>();
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
        case "--profile" -> profile = value;
        case "--database-url" -> database = value;
        case "--sso", "--sso-issuer", "--sso-client-id" -> sso.put(arg, value);
        case "--legacy-web-config", "--legacy-sunset" -> legacy.put(arg, value);
        default -> throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
      }
    }
    if (dir.isBlank()) {
      throw new IllegalArgumentException("the data folder must not be empty; " + USAGE);
    }
    PortalProfile chosen;
    try {
      chosen = PortalProfile.named(profile);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + "; " + USAGE, e);
    }
    return new PortalOptions(
        port("https port", https),
        port("http port", http),
        Path.of(dir),
        chosen,
        database == null || database.isBlank() ? null : database.strip(),
        SsoOptions.parse(sso, env),
        LegacyOptions.parse(legacy, env));
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
