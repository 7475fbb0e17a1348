package dev.portcullis.examples.portal;

import java.util.Locale;

/** One entry of the public directory of care services that {@code /search} looks through. */
record CareService(String name, String kind, String area, String provider, String description) {
  /** Whether every word of {@code words} (lower case) appears somewhere in this entry. */
  boolean matchesAll(String[] words) {
    String text =
        String.join(" ", name, kind, area, provider, description).toLowerCase(Locale.ROOT);
    for (String w : words) {
      if (!text.contains(w)) {
        return false;
      }
    }
    return true;
  }
}
