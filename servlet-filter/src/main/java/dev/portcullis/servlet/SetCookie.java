package dev.portcullis.servlet;

import dev.portcullis.cookie.CookieSpec;
import java.time.Duration;

/**
 * Formats {@code Set-Cookie} header values from a {@link CookieSpec}, attribute for attribute, so every cookie leaves
 * exactly as declared. An instance holds one declaration's attributes formatted once, for the cookies a stage writes
 * on ordinary requests; the static methods format on each call, for the rare ones.
 */
final class SetCookie {
  static final String HEADER = "Set-Cookie";

  /** {@code name=} */
  private final String prefix;
  /** Everything after the value when setting the cookie. */
  private final String setAttributes;
  /** The whole header value that removes the cookie. */
  private final String expired;

  private SetCookie(CookieSpec spec) {
    this.prefix = spec.name() + "=";
    this.setAttributes = attributes(spec, spec.maxAge().orElse(null));
    this.expired = prefix + attributes(spec, Duration.ZERO);
  }

  /** The header values of {@code spec}'s cookie, formatted now. */
  static SetCookie of(CookieSpec spec) {
    return new SetCookie(spec);
  }

  /** The header value that sets the cookie to {@code value}. */
  String set(String value) {
    return prefix + value + setAttributes;
  }

  /** The header value that removes the cookie: same name, path and domain, no value, {@code Max-Age=0}. */
  String expire() {
    return expired;
  }

  /** The header value that sets {@code spec}'s cookie to {@code value}. */
  static String set(CookieSpec spec, String value) {
    return of(spec).set(value);
  }

  /** The header value that removes {@code spec}'s cookie: same name, path and domain, no value, {@code Max-Age=0}. */
  static String expire(CookieSpec spec) {
    return of(spec).expire();
  }

  private static String attributes(CookieSpec spec, Duration maxAge) {
    StringBuilder b = new StringBuilder(96);
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
