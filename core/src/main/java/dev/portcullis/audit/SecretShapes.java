package dev.portcullis.audit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises text shaped like a credential, so that the event builder can refuse it (fields the code fills) or mask
 * it (fields a request fills). A heuristic that catches the usual mistakes, not a guarantee:
 *
 * <ul>
 *   <li>a run of 40 or more base64url characters with upper case, lower case and digits and a stretch of at least 16
 *       without {@code -} or {@code _}: Portcullis session ids (43), sealed cookies, bearer tokens, JWT segments, API
 *       keys (a readable slug such as {@code Quarterly-Report-2024-North-Region-Providers} passes);
 *   <li>a run of 40 or more hexadecimal digits: unkeyed hashes of session ids, raw keys;
 *   <li>{@code password=}, {@code secret:}, {@code token=} and similar assignments.
 * </ul>
 *
 * <p>UUIDs, W3C trace ids, {@link SessionRef} values (22 characters) and ordinary paths pass.
 */
final class SecretShapes {
  private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9_-]{40,}");
  private static final Pattern HEX_RUN =
      Pattern.compile("(?<![0-9A-Za-z])[0-9A-Fa-f]{40,}(?![0-9A-Za-z])");
  private static final Pattern ASSIGNMENT = Pattern.compile(
      "(?i)\\b(pass(word|wd)?|pwd|secret|token|api[_-]?key|session[_-]?id)\\s*[=:]\\s*\\S");
  static final String MASK = "[redacted]";

  private SecretShapes() {}

  static boolean looksSecret(String text) {
    if (ASSIGNMENT.matcher(text).find() || HEX_RUN.matcher(text).find()) {
      return true;
    }
    Matcher m = BASE64_RUN.matcher(text);
    while (m.find()) {
      if (isSecretRun(m.group())) {
        return true;
      }
    }
    return false;
  }

  /** Replaces every secret-shaped run by {@link #MASK}; an assignment loses everything after its operator. */
  static String mask(String text) {
    Matcher assignment = ASSIGNMENT.matcher(text);
    if (assignment.find()) {
      text = text.substring(0, assignment.end() - 1) + MASK;
    }
    text = HEX_RUN.matcher(text).replaceAll(MASK);
    Matcher m = BASE64_RUN.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      m.appendReplacement(out, isSecretRun(m.group()) ? Matcher.quoteReplacement(MASK) : "$0");
    }
    m.appendTail(out);
    return out.toString();
  }

  private static boolean isSecretRun(String run) {
    boolean upper = false;
    boolean lower = false;
    boolean digit = false;
    int stretch = 0;
    int longestStretch = 0;
    for (int i = 0; i < run.length(); i++) {
      char c = run.charAt(i);
      upper |= c >= 'A' && c <= 'Z';
      lower |= c >= 'a' && c <= 'z';
      digit |= c >= '0' && c <= '9';
      stretch = c == '-' || c == '_' ? 0 : stretch + 1;
      longestStretch = Math.max(longestStretch, stretch);
    }
    return upper && lower && digit && longestStretch >= 16;
  }
}
