package dev.portcullis.audit;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what a user typed into a search box into terms fit for an anonymous demand log. In order:
 *
 * <ol>
 *   <li>Unicode NFKC (full-width digits become digits, so they can't slip past the patterns), then lower case in
 *       {@link Locale#ROOT}.
 *   <li>Every character other than a letter, a combining mark, a digit or one of {@code @ . - ' & +} becomes a space; control and
 *       format characters included. Marker tokens from an earlier pass are kept, so normalising twice changes
 *       nothing.
 *   <li>Redaction, each match replaced by a marker token:
 *       <ul>
 *         <li>{@code [email]}: any token containing {@code @};
 *         <li>{@code [ni-number]}: a UK National Insurance number ({@code ab 12 34 56 c}, spaced or not);
 *         <li>{@code [postcode]}: a full UK postcode ({@code sw1a 1aa}, spaced or not). An outward code alone
 *             ({@code sw1a}) is kept: it names a district of thousands of addresses and is what demand by area
 *             needs;
 *         <li>{@code [phone]}: a digit run starting with {@code +} or {@code 0} with 10 to 15 digits;
 *         <li>{@code [number]}: any other run of 6 or more digits (account, NHS and case numbers, dates of birth,
 *             IP addresses). Runs may be split by spaces, dots, hyphens and the other kept punctuation.
 *       </ul>
 *   <li>Whitespace collapsed, trimmed, and cut to at most {@value #MAX_LENGTH} characters by dropping whole tokens
 *       from the end (a query whose first token alone is longer gives no terms).
 * </ol>
 *
 * <p>Not redacted: names. A search for a provider, a care home or a street is what the demand log is for, and a
 * person's name cannot be told apart from those. The log never links terms to a user, session or address, and the
 * time is coarse; that, not the redaction, is what keeps it anonymous. The redaction removes the identifiers that
 * would make a single record point at one person on their own.
 */
final class SearchTerms {
  static final int MAX_LENGTH = 100;
  static final Set<String> MARKERS = Set.of("[email]", "[ni-number]", "[postcode]", "[phone]", "[number]");

  private static final Pattern EMAIL = Pattern.compile("\\S*@\\S*");
  private static final Pattern NI_NUMBER =
      Pattern.compile(
          "(?<![\\p{L}\\p{N}])[a-z]{2} ?\\d{2} ?\\d{2} ?\\d{2} ?[a-d](?![\\p{L}\\p{N}])",
          Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern POSTCODE =
      Pattern.compile(
          "(?<![\\p{L}\\p{N}])[a-z]{1,2}\\d[a-z\\d]? ?\\d[a-z]{2}(?![\\p{L}\\p{N}])",
          Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern DIGIT_RUN =
      Pattern.compile("\\+?\\d(?:[ .\\-'&+]*\\d)*", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern SPACES = Pattern.compile(" +");

  private SearchTerms() {}

  static String normalise(String raw) {
    if (raw == null) {
      return "";
    }
    String text = Normalizer.normalize(raw, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    // Lower-casing can add combining marks (İ becomes i + U+0307); normalising again keeps them in canonical order.
    text = Normalizer.normalize(text, Normalizer.Form.NFKC);
    // Collapsed before matching: the patterns allow one space inside a postcode or an NI number, not a run.
    text = SPACES.matcher(keepSearchCharacters(text)).replaceAll(" ");
    // This order makes normalising twice a no-op: postcodes go after digit runs, whose removal can free a
    // postcode's neighbours; national insurance numbers go before, because digit runs would eat their digits.
    text = EMAIL.matcher(text).replaceAll(" [email] ");
    text = NI_NUMBER.matcher(text).replaceAll(" [ni-number] ");
    text = redactDigitRuns(text);
    text = POSTCODE.matcher(text).replaceAll(" [postcode] ");
    return capped(SPACES.matcher(text).replaceAll(" ").strip());
  }

  private static String keepSearchCharacters(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (String token : text.split("[\\s\\p{Cc}\\p{Cf}\\p{Z}]+", -1)) {
      if (MARKERS.contains(token)) {
        out.append(token);
      } else {
        token.codePoints()
            .forEach(cp -> {
              if (Character.isLetterOrDigit(cp) || isMark(cp) || "@.-'&+".indexOf(cp) >= 0) {
                out.appendCodePoint(cp);
              } else {
                out.append(' ');
              }
            });
      }
      out.append(' ');
    }
    return out.toString();
  }

  private static boolean isMark(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  private static String redactDigitRuns(String text) {
    Matcher m = DIGIT_RUN.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      String run = m.group();
      int digits = 0;
      for (int i = 0; i < run.length(); i++) {
        digits += Character.isDigit(run.charAt(i)) ? 1 : 0;
      }
      String replacement;
      if (digits >= 10 && digits <= 15 && (run.charAt(0) == '+' || run.charAt(0) == '0')) {
        replacement = " [phone] ";
      } else if (digits >= 6) {
        replacement = " [number] ";
      } else {
        replacement = run;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String capped(String text) {
    if (text.length() <= MAX_LENGTH) {
      return text;
    }
    // Whole tokens only: cutting inside one could turn the rest of it into something a pattern would have caught.
    int cut = text.lastIndexOf(' ', MAX_LENGTH);
    return cut <= 0 ? "" : text.substring(0, cut);
  }
}
