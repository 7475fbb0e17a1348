package dev.portcullis.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A duration as an operator reads it in a warning, a health message or an audit reason (a key age or maximum key age,
 * the single sign-on's recent-login window): {@code 90 days}, {@code 12 hours}, {@code 1 day 6 hours}, {@code 1 minute
 * 30 seconds}, rather than {@link Duration#toString()}'s {@code PT2160H}. Whole days, hours, minutes and seconds that
 * are not zero, largest first; fractions of a second are dropped. A duration that is negative or shorter than a second
 * keeps the ISO-8601 form, which at least says exactly what was configured.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
public final class KeyAgeText {
  private KeyAgeText() {}

  public static String of(Duration age) {
    if (age.isNegative() || age.getSeconds() == 0) {
      return age.toString();
    }
    List<String> parts = new ArrayList<>(4);
    add(parts, age.toDaysPart(), "day");
    add(parts, age.toHoursPart(), "hour");
    add(parts, age.toMinutesPart(), "minute");
    add(parts, age.toSecondsPart(), "second");
    return String.join(" ", parts);
  }

  private static void add(List<String> parts, long count, String unit) {
    if (count != 0) {
      parts.add(count + " " + unit + (count == 1 ? "" : "s"));
    }
  }
}
