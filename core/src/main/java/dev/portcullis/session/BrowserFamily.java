package dev.portcullis.session;

/**
 * The browser family of a {@code User-Agent} header, such as "Chrome on Windows", "Safari on iOS", "Firefox" or
 * "other": enough for a user to recognise a session in a list, and nothing more. Only the family is ever kept, never
 * the header.
 *
 * <p>Plain substring checks over at most {@value #MAX_LENGTH} characters of the header, so the work is bounded
 * whatever a client sends; no regular expressions.
 */
final class BrowserFamily {
  /** How much of the header is looked at; real browsers' headers are well under this. */
  static final int MAX_LENGTH = 512;

  static final String OTHER = "other";

  private BrowserFamily() {}

  /** The family of {@code userAgent}; {@value #OTHER} when it is absent or not recognised. */
  static String of(String userAgent) {
    if (userAgent == null || userAgent.isEmpty()) {
      return OTHER;
    }
    String ua = userAgent.length() > MAX_LENGTH ? userAgent.substring(0, MAX_LENGTH) : userAgent;
    String browser = browser(ua);
    if (browser == null) {
      return OTHER;
    }
    String system = system(ua);
    return system == null ? browser : browser + " on " + system;
  }

  // Order matters: Edge, Opera and Samsung Internet also name Chrome and Safari; Chrome names
  // Safari.
  private static String browser(String ua) {
    if (ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/")) {
      return "Edge";
    }
    if (ua.contains("OPR/") || ua.contains("Opera")) {
      return "Opera";
    }
    if (ua.contains("SamsungBrowser/")) {
      return "Samsung Internet";
    }
    if (ua.contains("Firefox/") || ua.contains("FxiOS/")) {
      return "Firefox";
    }
    if (ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/")) {
      return "Chrome";
    }
    if (ua.contains("Safari/") && ua.contains("Version/")) {
      return "Safari";
    }
    return null;
  }

  // iOS devices say "like Mac OS X", Android says "Linux": the more specific names go first.
  private static String system(String ua) {
    if (ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod")) {
      return "iOS";
    }
    if (ua.contains("Android")) {
      return "Android";
    }
    if (ua.contains("Windows")) {
      return "Windows";
    }
    if (ua.contains("CrOS")) {
      return "ChromeOS";
    }
    if (ua.contains("Macintosh") || ua.contains("Mac OS X")) {
      return "macOS";
    }
    if (ua.contains("Linux")) {
      return "Linux";
    }
    return null;
  }
}
