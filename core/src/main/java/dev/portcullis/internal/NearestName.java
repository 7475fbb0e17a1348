package dev.portcullis.internal;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The known setting name nearest to a misspelt one, for the start-up failures of the adapters that read settings by
 * name ("did you mean ..."). Names are compared without case, white space and the punctuation of property names and
 * environment variables ({@code . - _ [ ]}).
 */
public final class NearestName {
  private static final Pattern PUNCTUATION = Pattern.compile("[\\s.\\-_\\[\\]]");

  private NearestName() {}

  /**
   * The name among {@code names} whose spelling ({@code spelling} of it) is nearest to {@code written}, if it is near
   * enough to be the name meant: at most three letters apart, or a sixth of the written name's letters.
   */
  public static Optional<String> among(
      String written, Iterable<String> names, Function<String, String> spelling) {
    String bare = bare(written);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : names) {
      int d = distance(bare, bare(spelling.apply(name)));
      if (d < bestDistance) {
        best = name;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(3, bare.length() / 6)
        ? Optional.of(best)
        : Optional.empty();
  }

  private static String bare(String name) {
    return PUNCTUATION.matcher(name.toLowerCase(Locale.ROOT)).replaceAll("");
  }

  /** The Levenshtein distance: how many letters to insert, delete or replace to make {@code a} into {@code b}. */
  public static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
