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
 *   <li>Unicode NFKC (full-width letters, digits and {@code @} become plain ones), then the folds that NFKC leaves
 *       undone: a decimal digit of any script becomes its ASCII digit (Arabic-Indic {@code ٠٧٧٠٠} and Devanagari
 *       {@code ०७७००} are {@code 07700}), a dash (Unicode category Pd: the non-breaking hyphen U+2011, the en and em
 *       dashes and the others) and the minus sign U+2212 become {@code -}, and the ideographic full stop U+3002
 *       becomes {@code .}. So no identifier slips past the patterns below written in other digits or with another
 *       dash, and kept terms are written with ASCII digits ({@code ٢٠٢٤} is kept as {@code 2024}).
 *   <li>Shapes that need the punctuation or the letter case that the later steps remove, each replaced by a marker:
 *       <ul>
 *         <li>{@code [ip-address]}: an IPv6 address ({@code 2001:db8::1}, {@code ::ffff:10.0.0.1}, {@code
 *             fe80::1%eth0}): eight groups, or fewer with one {@code ::};
 *         <li>{@code [token]}: something pasted from a cookie, a header or a link: a JWT, a UUID, the value of a
 *             {@code password=}, {@code token=}, {@code sid=} (and similar) assignment, and any run of 16 or more
 *             base64 or base64url characters that holds at least 12 letters and digits in a row and switches
 *             between letters and digits at least three times (hex digests, API keys, most session ids; a
 *             readable slug such as {@code quarterly-report-2024} or {@code covid19vaccine} does not), a run in the
 *             exact shape of a session id that this library issues even with fewer switches (24 characters of
 *             {@code a-z0-5}, ASP.NET's session id, with a digit between letters; 43 base64url characters, a
 *             Portcullis session id, cookie-check value or CSRF token, with both letter cases and a digit between
 *             two letters), and an AWS access key id;
 *         <li>{@code [user-handle]}: a handle of the {@code u-1001} kind: one or two letters, a hyphen or an
 *             underscore, then three or more letters and digits with at least one digit ({@code u-1001}, {@code
 *             ID_5f3a9c}; not {@code covid-19}, {@code b-12}, {@code pre-2020} or {@code u-turn}).
 *       </ul>
 *   <li>Lower case in {@link Locale#ROOT}; every character other than a letter, a combining mark, a digit or one of
 *       {@code @ . - ' & +} becomes a space; control and format characters included. Marker tokens from an earlier
 *       pass are kept, so normalising twice changes nothing.
 *   <li>Redaction, each match replaced by a marker token:
 *       <ul>
 *         <li>{@code [email]}: any token containing {@code @};
 *         <li>{@code [ni-number]}: a UK National Insurance number ({@code ab 12 34 56 c}, spaced, hyphenated or not);
 *         <li>{@code [ip-address]}: an IPv4 address ({@code 10.0.0.1}, {@code 8.8.8.8});
 *         <li>{@code [phone]}: a digit run starting with {@code +} or {@code 0} with 10 to 15 digits;
 *         <li>{@code [number]}: any other run of 6 or more digits (account, NHS and case numbers, dates of birth).
 *             Runs may be split by spaces, by the kept punctuation and by a single letter standing alone between
 *             digits ({@code 07700x900x123}), so a number written with odd separators is still one run. A run of
 *             years is kept: a financial year ({@code 2025/26}, {@code 2024-2025}) or years from 1900 to 2099
 *             ({@code 2010 2020}).
 *         <li>{@code [postcode]}: a full UK postcode ({@code sw1a 1aa}), spaced or not, or with a dash or a dot
 *             between its halves ({@code sw1a-1aa}, {@code sw1a – 1aa}, {@code sw1a.1aa}). An outward code alone
 *             ({@code sw1a}) is kept: it names a district of thousands of addresses and is what demand by area
 *             needs.
 *       </ul>
 *   <li>Whitespace collapsed, trimmed, and cut to at most {@value #MAX_LENGTH} characters by dropping whole tokens
 *       from the end (a query whose first token alone is longer gives no terms).
 * </ol>
 *
 * <p>Not redacted: names, and numbers of up to five digits (years, house numbers, bed counts). A search for a
 * provider, a care home or a street is what the demand log is for, and a person's name cannot be told apart from
 * those. The log never links terms to a user, session or address, and it publishes only hourly counts; that, not
 * the redaction, is what keeps it anonymous. The redaction removes the identifiers that would make a single record
 * point at one person on their own. The rules are pinned by a corpus of queries with their expected terms
 * ({@code search-redaction-corpus.tsv} in the tests).
 *
 * <p>Not folded: look-alike characters of other kinds (a Cyrillic {@code а} for a Latin {@code a}, the ratio sign
 * {@code ∶} for a colon). NFKC and the folds above cover what keyboards and input methods produce when a person types
 * or pastes an identifier; someone set on getting one into the log can spell it out in words, which no redaction can
 * tell from a search.
 */
final class SearchTerms {
  static final int MAX_LENGTH = 100;

  /**
   * The longest query, in UTF-16 code units as received, that is read at all. The redaction's patterns cost time and
   * stack that grow with the query's length, and a query is typed into a box of a few hundred characters: a longer
   * one is not a person's search, and {@link AuditLog#searched} counts it under {@link SearchDemandEvent#OTHER_TERMS}
   * without reading it.
   */
  static final int MAX_QUERY = 400;

  static final Set<String> MARKERS = Set.of(
      "[email]",
      "[ni-number]",
      "[postcode]",
      "[phone]",
      "[number]",
      "[ip-address]",
      "[user-handle]",
      "[token]");

  private static final int MINUS_SIGN = 0x2212;
  private static final int IDEOGRAPHIC_FULL_STOP = 0x3002;
  private static final String IP_MARKER = " [ip-address] ";
  private static final String TOKEN_MARKER = " [token] ";

  // Before lower-casing and punctuation removal.
  // Not inside a longer word or colon sequence ("ip:2001:db8::1" starts after "ip:"); validated by
  // isIpv6.
  private static final Pattern IPV6_CANDIDATE = Pattern.compile(
      "(?<![0-9A-Za-z.]|[0-9A-Fa-f]:)"
          + "[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\\.[0-9]{1,3}){0,3}(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z:])");
  private static final Pattern JWT = Pattern.compile(
      "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}(?:\\.[A-Za-z0-9_-]*)?");
  private static final Pattern UUID = Pattern.compile(
      "(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])");
  private static final Pattern ASSIGNMENT = Pattern.compile(
      "(?i)(?<![A-Za-z0-9])"
          + "(password|passwd|pwd|secret|token|access[_-]?token|api[_-]?key|session[_-]?id|sid)\\s*[=:]\\s*[^\\s&;,]+");
  private static final Pattern USER_HANDLE = Pattern.compile(
      "(?<![\\p{L}\\p{N}'-])[A-Za-z]{1,2}[-_](?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{3,}(?![\\p{L}\\p{N}-])",
      Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern AWS_KEY_ID =
      Pattern.compile("(?<![A-Za-z0-9])A[KS]IA[A-Z0-9]{16}(?![A-Za-z0-9])");
  /** ASP.NET's session id: 24 characters of {@code a-z0-5}. */
  private static final int ASPNET_SESSION_ID_LENGTH = 24;
  /** 32 random bytes in unpadded base64url: Portcullis' session ids, cookie-check values and CSRF tokens. */
  private static final int PORTCULLIS_VALUE_LENGTH = 43;

  private static final Pattern TOKEN_RUN =
      Pattern.compile("(?<![A-Za-z0-9_+/-])[A-Za-z0-9_+/-]{16,}={0,2}");

  // After lower-casing, on the kept characters.
  // A whole token holding an '@', anchored at a token's start so that each token is tried once:
  // without the look-behind, every position inside a long token without '@' would start a scan to
  // its end.
  private static final Pattern EMAIL = Pattern.compile("(?<!\\S)\\S*@\\S*");
  private static final Pattern NI_NUMBER = Pattern.compile(
      "(?<![\\p{L}\\p{N}])[a-z]{2}[ -]?\\d{2}[ -]?\\d{2}[ -]?\\d{2}[ -]?[a-d](?![\\p{L}\\p{N}])",
      Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern IPV4 = Pattern.compile(
      "(?<![\\p{L}\\p{N}.])\\d{1,3}(?:\\.\\d{1,3}){3}(?![\\p{L}\\p{N}]|\\.\\d)",
      Pattern.UNICODE_CHARACTER_CLASS);
  // Between the two halves: nothing, a space, or a dash or a dot with a space either side or not
  // (every dash is '-' by now).
  private static final Pattern POSTCODE = Pattern.compile(
      "(?<![\\p{L}\\p{N}])[a-z]{1,2}\\d[a-z\\d]?(?: ?[.-] ?| )?\\d[a-z]{2}(?![\\p{L}\\p{N}])",
      Pattern.UNICODE_CHARACTER_CLASS);
  // A separator inside a number: kept punctuation, a space, or a letter standing alone between
  // digits.
  private static final String NUMBER_SEPARATOR = "(?:[ .\\-'&+]|(?<![\\p{L}])\\p{L}(?![\\p{L}]))";
  private static final Pattern DIGIT_RUN =
      Pattern.compile("\\+?\\d(?:" + NUMBER_SEPARATOR + "*\\d)*", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern SPACES = Pattern.compile(" +");

  private SearchTerms() {}

  static String normalise(String raw) {
    if (raw == null) {
      return "";
    }
    String text = compatible(raw);
    text = redactIpv6(text);
    text = redactTokens(text);
    text = USER_HANDLE.matcher(text).replaceAll(" [user-handle] ");
    text = text.toLowerCase(Locale.ROOT);
    // Lower-casing can add combining marks (İ becomes i + U+0307); normalising again keeps them in
    // canonical order.
    text = compatible(text);
    // Collapsed before matching: the patterns allow one space inside a postcode or an NI number,
    // not a run.
    text = SPACES.matcher(keepSearchCharacters(text)).replaceAll(" ");
    // This order makes normalising twice a no-op: postcodes go after digit runs, whose removal can
    // free a postcode's neighbours; national insurance numbers and addresses go before, because
    // digit runs would eat their digits.
    text = EMAIL.matcher(text).replaceAll(" [email] ");
    text = NI_NUMBER.matcher(text).replaceAll(" [ni-number] ");
    text = IPV4.matcher(text).replaceAll(IP_MARKER);
    text = redactDigitRuns(text);
    text = POSTCODE.matcher(text).replaceAll(" [postcode] ");
    // A digit run's removal can leave a handle standing alone ("0a-aa0" after a phone number
    // becomes "a-aa0"), which a second normalisation would redact: look for handles once more.
    text = USER_HANDLE.matcher(text).replaceAll(" [user-handle] ");
    return capped(SPACES.matcher(text).replaceAll(" ").strip());
  }

  /** NFKC, then the folds NFKC does not make (see the class comment): digits, dashes, the ideographic full stop. */
  private static String compatible(String raw) {
    String text = Normalizer.normalize(raw, Normalizer.Form.NFKC);
    int i = 0;
    while (i < text.length() && text.charAt(i) < 0x80) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length()).append(text, 0, i);
    text.codePoints().skip(text.codePointCount(0, i)).forEach(cp -> {
      int type = Character.getType(cp);
      if (type == Character.DECIMAL_DIGIT_NUMBER) {
        out.append((char) ('0' + Character.digit(cp, 10)));
      } else if (type == Character.DASH_PUNCTUATION || cp == MINUS_SIGN) {
        out.append('-');
      } else if (cp == IDEOGRAPHIC_FULL_STOP) {
        out.append('.');
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.toString();
  }

  private static String redactIpv6(String text) {
    if (text.indexOf(':') < 0) {
      return text;
    }
    Matcher m = IPV6_CANDIDATE.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      m.appendReplacement(out, isIpv6(m.group()) ? IP_MARKER : "$0");
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Whether {@code s} is an IPv6 address in text form: 8 groups, or fewer and one {@code ::}; an IPv4 tail allowed. */
  static boolean isIpv6(String s) {
    int zone = s.indexOf('%');
    String address = zone < 0 ? s : s.substring(0, zone);
    int groups = 0;
    String tail = address;
    int lastColon = address.lastIndexOf(':');
    if (address.indexOf('.') >= 0) {
      String ipv4 = address.substring(lastColon + 1);
      if (!ipv4.matches("\\d{1,3}(?:\\.\\d{1,3}){3}")) {
        return false;
      }
      groups = 2;
      // Keep the colon before the IPv4 part when it is the second of a "::".
      tail = address.substring(0, address.endsWith("::" + ipv4) ? lastColon + 1 : lastColon);
    }
    int gap = tail.indexOf("::");
    if (gap >= 0 && tail.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    String[] halves = gap >= 0
        ? new String[] {tail.substring(0, gap), tail.substring(gap + 2)}
        : new String[] {tail};
    for (String half : halves) {
      if (half.isEmpty()) {
        continue;
      }
      for (String group : half.split(":", -1)) {
        if (group.isEmpty() || group.length() > 4) {
          return false;
        }
        groups++;
      }
    }
    // "::" alone is the unspecified address, which names nobody; in a search it is punctuation.
    return gap >= 0 ? groups >= 1 && groups <= 7 : groups == 8;
  }

  private static String redactTokens(String text) {
    text = JWT.matcher(text).replaceAll(TOKEN_MARKER);
    text = UUID.matcher(text).replaceAll(TOKEN_MARKER);
    text = AWS_KEY_ID.matcher(text).replaceAll(TOKEN_MARKER);
    text = ASSIGNMENT.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(TOKEN_MARKER));
    Matcher m = TOKEN_RUN.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      m.appendReplacement(
          out, looksRandom(m.group()) || sessionIdShaped(m.group()) ? TOKEN_MARKER : "$0");
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * A run that reads like a machine-made value rather than words: at least 12 letters and digits without a separator
   * between them, and at least three switches between a letter and a digit. Random base64url of 22 or more
   * characters, hexadecimal digests and ASP.NET session ids all have many; words, slugs and years have few.
   */
  private static boolean looksRandom(String run) {
    int stretch = 0;
    int longest = 0;
    int switches = 0;
    int previous = 0; // 0: not alphanumeric, 1: letter, 2: digit
    for (int i = 0; i < run.length(); i++) {
      char c = run.charAt(i);
      int kind =
          c >= '0' && c <= '9' ? 2 : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? 1 : 0;
      stretch = kind == 0 ? 0 : stretch + 1;
      longest = Math.max(longest, stretch);
      if (kind != 0 && previous != 0 && kind != previous) {
        switches++;
      }
      previous = kind;
    }
    return longest >= 12 && switches >= 3;
  }

  /**
   * A run in the shape of a session id this library issues whose letters and digits switch too seldom for
   * {@link #looksRandom} (about 1 in 20 of ASP.NET's ids, 1 in 100 of the 43-character ones): 24 characters of
   * {@code a-z0-5} with a digit between letters, or 43 base64url characters with both letter cases and a digit between
   * two letters. Readable text of exactly those lengths rarely has both ({@code residentialcarehomes2024} and
   * {@code Quarterly-Report-2024-North-Region-Provider} do not).
   */
  private static boolean sessionIdShaped(String run) {
    if (run.length() == ASPNET_SESSION_ID_LENGTH) {
      int firstLetter = -1;
      int lastLetter = -1;
      for (int i = 0; i < run.length(); i++) {
        char c = run.charAt(i);
        if (c >= 'a' && c <= 'z') {
          firstLetter = firstLetter < 0 ? i : firstLetter;
          lastLetter = i;
        } else if (c < '0' || c > '5') {
          return false;
        }
      }
      for (int i = firstLetter + 1; firstLetter >= 0 && i < lastLetter; i++) {
        if (run.charAt(i) <= '5') {
          return true;
        }
      }
      return false;
    }
    if (run.length() == PORTCULLIS_VALUE_LENGTH) {
      boolean upper = false;
      boolean lower = false;
      boolean digitBetweenLetters = false;
      for (int i = 0; i < run.length(); i++) {
        char c = run.charAt(i);
        if (c >= 'A' && c <= 'Z') {
          upper = true;
        } else if (c >= 'a' && c <= 'z') {
          lower = true;
        } else if (c >= '0' && c <= '9') {
          digitBetweenLetters |= i > 0
              && i < run.length() - 1
              && Character.isLetter(run.charAt(i - 1))
              && Character.isLetter(run.charAt(i + 1));
        } else if (c != '-' && c != '_') {
          return false;
        }
      }
      return upper && lower && digitBetweenLetters;
    }
    return false;
  }

  private static String keepSearchCharacters(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (String token : text.split("[\\s\\p{Cc}\\p{Cf}\\p{Z}]+", -1)) {
      if (MARKERS.contains(token)) {
        out.append(token);
      } else {
        token.codePoints().forEach(cp -> {
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
      if (digits >= 6 && isYears(run)) {
        replacement = run;
      } else if (digits >= 10 && digits <= 15 && (run.charAt(0) == '+' || run.charAt(0) == '0')) {
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

  /**
   * Whether a digit run is a financial year ({@code 2025 26}, {@code 2024-2025}) or a list of years 1900-2099. Its
   * digits are ASCII by now ({@link #compatible}); a run that starts with {@code +}, which marks a phone number, splits
   * into an empty first group and is no list of years.
   */
  private static boolean isYears(String run) {
    String[] groups = run.split("\\D+");
    boolean allYears = true;
    for (String g : groups) {
      allYears &= isYear(g);
    }
    if (allYears) {
      return true;
    }
    if (groups.length != 2 || !isYear(groups[0])) {
      return false;
    }
    int next = Integer.parseInt(groups[0]) + 1;
    return groups[1].equals(Integer.toString(next))
        || groups[1].equals(String.format(Locale.ROOT, "%02d", next % 100));
  }

  private static boolean isYear(String group) {
    return group.length() == 4 && (group.startsWith("19") || group.startsWith("20"));
  }

  private static String capped(String text) {
    if (text.length() <= MAX_LENGTH) {
      return text;
    }
    // Whole tokens only: cutting inside one could turn the rest of it into something a pattern
    // would have caught.
    int cut = text.lastIndexOf(' ', MAX_LENGTH);
    return cut <= 0 ? "" : text.substring(0, cut);
  }
}
