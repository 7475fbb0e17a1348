package dev.portcullis.examples.portal;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Whether the portal reads the Forms Authentication cookie of the ASP.NET portal it replaces, so that users logged in
 * there arrive logged in here (the cut-over; {@link LegacyCutOver}).
 *
 * <p>Arguments {@code --legacy-web-config PATH} (the old portal's web.config, for its {@code <machineKey>} and cookie
 * name, and in the ported profile its cookie settings: {@link PortalProfile}) and {@code --legacy-sunset YYYY-MM-DD} (the first day, in UTC, on which the old cookie is no longer read, only
 * removed), or the variables {@code PORTAL_LEGACY_WEB_CONFIG} and {@code PORTAL_LEGACY_SUNSET}. Both or neither: a
 * cut-over without an end date is not offered. Off when neither is given.
 *
 * <p><b>Security.</b> The web.config holds the keys that forge any user's old cookie: only its path is an option, the
 * file is read once at start-up and neither the file nor its keys are logged ({@link #toString()} shows the path).
 */
record LegacyOptions(Path webConfig, Instant sunset) {
  static final String USAGE = "[--legacy-web-config PATH --legacy-sunset YYYY-MM-DD] (or"
      + " PORTAL_LEGACY_WEB_CONFIG, PORTAL_LEGACY_SUNSET)";

  LegacyOptions {
    if (webConfig == null || sunset == null) {
      throw new IllegalArgumentException(
          "the legacy cut-over needs both the old portal's web.config"
              + " (--legacy-web-config) and a sunset date (--legacy-sunset)");
    }
  }

  /**
   * Reads the options from the arguments given and the environment; arguments win.
   *
   * @return the options, or null when neither is given
   * @throws IllegalArgumentException with a message for the user when only one is given or the date is malformed
   */
  static LegacyOptions parse(Map<String, String> args, Map<String, String> env) {
    String path = args.getOrDefault("--legacy-web-config", env.get("PORTAL_LEGACY_WEB_CONFIG"));
    String date = args.getOrDefault("--legacy-sunset", env.get("PORTAL_LEGACY_SUNSET"));
    if (blank(path) && blank(date)) {
      return null;
    }
    if (blank(path) || blank(date)) {
      throw new IllegalArgumentException("the legacy cut-over needs both --legacy-web-config and"
          + " --legacy-sunset (a cut-over must end on a known date); " + USAGE);
    }
    Instant sunset;
    try {
      sunset = LocalDate.parse(date.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--legacy-sunset must be a date such as 2027-04-01, got '" + date + "'; " + USAGE, e);
    }
    return new LegacyOptions(Path.of(path.strip()), sunset);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
