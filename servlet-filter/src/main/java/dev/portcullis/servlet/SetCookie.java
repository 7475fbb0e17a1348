package dev.portcullis.servlet;

import dev.portcullis.cookie.CookieSpec;
import java.time.Duration;

/**
 * Formats {@code Set-Cookie} header values from a {@link CookieSpec}, attribute for attribute, so every cookie leaves
 * exactly as declared.
 */
final class SetCookie {
  static final String HEADER = "Set-Cookie";

  private SetCookie() {}

  /** The header value that sets {@code spec}'s cookie to {@code value}. */
  static String set(CookieSpec spec, String value) {
    return format(spec, value, spec.maxAge().orElse(null));
  }

  /** The header value that removes {@code spec}'s cookie: same name, path and domain, no value, {@code Max-Age=0}. */
  static String expire(CookieSpec spec) {
    return format(spec, "", Duration.ZERO);
  }

  private static String format(CookieSpec spec, String value, Duration maxAge) {
    StringBuilder b = new StringBuilder(96).append(spec.name()).append('=').append(value);
    if (maxAge != null) {
      b.append("; Max-Age=").append(maxAge.toSeconds());
    }
    b.append("; Path=").append(spec.path());
    spec.domain().ifPresent(d -> b.append("; Domain=").append(d));
    if (spec.secure()) {
      b.append("; Secure");
    }
    if (spec.httpOnly()) {
      b.append("; HttpOnly");
    }
    return b.append("; SameSite=").append(spec.sameSite().attributeValue()).toString();
  }
}
