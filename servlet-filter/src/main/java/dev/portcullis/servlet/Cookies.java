package dev.portcullis.servlet;

import dev.portcullis.login.LoginFormTokens;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request's cookies, read straight from its {@code Cookie} headers (RFC 6265 {@code name=value} pairs separated by
 * {@code ;}), not through the container's parsed and cached cookie list: the security decisions see exactly what this
 * request sent. Malformed pairs are skipped; a malformed header never fails the request.
 *
 * <p>The headers are read once per request into their text; each question about a cookie scans that text for the pairs
 * with its name (names compared as sent: cookie names are case-sensitive), and a value becomes a string only when a
 * stage asks for it. No table of the pairs is made: a request asks about two or three names, and a scan of a
 * browser's header costs about what reading such a table back does.
 *
 * <p>Bounded whatever the container lets through (Undertow reads up to 1 MiB of headers by default): a header longer
 * than {@value #MAX_HEADER} characters is ignored whole, and a request whose headers hold more than {@value #MAX_PAIRS}
 * pairs counts as sending no cookie that can be read (no session, no login), which is logged at DEBUG. A browser sends
 * far fewer pairs: Chrome and Firefox keep at most 180 cookies per site. A request over the bound is never read in
 * part, so that a cookie sent twice cannot pass for one sent once.
 */
final class Cookies {
  /** Headers longer than this are ignored whole. */
  static final int MAX_HEADER = 16 * 1024;

  /** More pairs than this make every cookie of the request unread. */
  static final int MAX_PAIRS = 1_000;

  /** What {@link #single} answers when the request sent no value for the name. */
  static final int ABSENT = -1;

  /** What {@link #single} answers when the request sent more than one value for the name. */
  static final int SEVERAL = -2;

  private static final Logger log = LoggerFactory.getLogger(Cookies.class);

  private static final Cookies NONE = new Cookies("");

  /** A request that sent cookies past a bound: none is read, but it did send some. */
  private static final Cookies UNREAD = new Cookies("");

  /**
   * The {@code Cookie} headers, joined with {@code ;} when the request sent more than one; empty for {@link #NONE} and
   * {@link #UNREAD}.
   */
  private final String text;

  private Cookies(String text) {
    this.text = text;
  }

  /** Every value sent for cookie {@code name}, in order (more than one means duplicates). */
  static List<String> values(Exchange exchange, String name) {
    return exchange.requestCookies().values(name);
  }

  static boolean has(Exchange exchange, String name) {
    return exchange.requestCookies().count(name) > 0;
  }

  /** Every value sent for cookie {@code name}, in order; an empty list when there is none. */
  List<String> values(String name) {
    int eq = find(name, 0);
    if (eq < 0) {
      return List.of();
    }
    String first = valueAt(eq);
    eq = find(name, after(eq));
    if (eq < 0) {
      return List.of(first);
    }
    List<String> all = new ArrayList<>(4);
    all.add(first);
    for (; eq >= 0; eq = find(name, after(eq))) {
      all.add(valueAt(eq));
    }
    return all;
  }

  /** The first value sent for cookie {@code name}, or null. */
  String first(String name) {
    int eq = find(name, 0);
    return eq < 0 ? null : valueAt(eq);
  }

  /**
   * Where the one value sent for cookie {@code name} is, for {@link #value(int)}; {@link #ABSENT} when the request sent
   * none, {@link #SEVERAL} when it sent more than one. One scan for what {@link #count} and {@link #first} would take
   * two.
   */
  int single(String name) {
    int eq = find(name, 0);
    if (eq < 0) {
      return ABSENT;
    }
    return find(name, after(eq)) < 0 ? eq : SEVERAL;
  }

  /** The value {@link #single} found at {@code place} (not {@link #ABSENT} or {@link #SEVERAL}). */
  String value(int place) {
    return valueAt(place);
  }

  /** The one value sent for cookie {@code name} if it is well formed for {@code format}; null otherwise. */
  static String wellFormedSingle(Cookies cookies, String name, LoginFormTokens format) {
    int place = cookies.single(name);
    String value = place >= 0 ? cookies.value(place) : null;
    return format.isWellFormed(value) ? value : null;
  }

  /** Whether the request sent no cookie at all. */
  boolean isEmpty() {
    return this != UNREAD && find(null, 0) < 0;
  }

  /** How many values the request sent for cookie {@code name}. */
  int count(String name) {
    int n = 0;
    for (int eq = find(name, 0); eq >= 0; eq = find(name, after(eq))) {
      n++;
    }
    return n;
  }

  /**
   * The position of the {@code =} of the first pair named {@code name} (any pair when null) among the {@code ;}
   * -separated parts of the text that start at or after {@code from}; -1 when there is none. A part is a pair when it
   * holds an {@code =} after its first character; its name is what comes before the first {@code =}, trimmed.
   */
  private int find(String name, int from) {
    String t = text;
    int length = t.length();
    int start = from;
    int nextEq = start < length ? t.indexOf('=', start) : -1;
    while (nextEq >= 0) {
      int end = t.indexOf(';', start);
      if (end < 0) {
        end = length;
      }
      if (nextEq < start) {
        nextEq = t.indexOf('=', start);
        if (nextEq < 0) {
          return -1;
        }
      }
      if (nextEq > start && nextEq < end) {
        if (name == null) {
          return nextEq;
        }
        int nameStart = skipSpace(t, start, nextEq);
        int nameEnd = trimSpace(t, nameStart, nextEq);
        if (nameEnd - nameStart == name.length()
            && t.regionMatches(nameStart, name, 0, name.length())) {
          return nextEq;
        }
      }
      if (end == length) {
        return -1;
      }
      start = end + 1;
    }
    return -1;
  }

  /** Where the part after the pair whose {@code =} is at {@code eq} starts (past the text when it is the last). */
  private int after(int eq) {
    int end = text.indexOf(';', eq + 1);
    return end < 0 ? text.length() : end + 1;
  }

  /** The value of the pair whose {@code =} is at {@code eq}: trimmed, and without one pair of enclosing quotes. */
  private String valueAt(int eq) {
    int end = text.indexOf(';', eq + 1);
    if (end < 0) {
      end = text.length();
    }
    int valueStart = skipSpace(text, eq + 1, end);
    int valueEnd = trimSpace(text, valueStart, end);
    if (valueEnd - valueStart >= 2
        && text.charAt(valueStart) == '"'
        && text.charAt(valueEnd - 1) == '"') {
      valueStart++;
      valueEnd--;
    }
    return text.substring(valueStart, valueEnd);
  }

  /** Reads the request's {@code Cookie} headers once. */
  static Cookies parse(HttpServletRequest request) {
    Enumeration<String> headers;
    try {
      // In lower case, as Exchange reads the Upgrade header: no copy of the name to look it up.
      headers = request.getHeaders("cookie");
    } catch (RuntimeException e) {
      return NONE;
    }
    String text = null;
    StringBuilder joined = null;
    while (headers != null && headers.hasMoreElements()) {
      String header = headers.nextElement();
      if (header == null || header.length() > MAX_HEADER) {
        continue;
      }
      if (text == null) {
        text = header;
      } else {
        // Rare (HTTP/2 may split cookies over headers): pairs never span a ';', so joining with
        // one reads each header's pairs exactly as reading the headers one by one would.
        if (joined == null) {
          joined = new StringBuilder(text.length() + header.length() + 1).append(text);
        }
        joined.append(';').append(header);
      }
    }
    if (text == null) {
      return NONE;
    }
    if (joined != null) {
      text = joined.toString();
    }
    return parse(text);
  }

  static Cookies parse(String text) {
    if (text.isEmpty()) {
      return NONE;
    }
    // A pair takes at least two characters and a ';' before the next one, so a text this short
    // holds no more pairs than the bound: only a longer one is counted.
    if ((text.length() + 1) / 3 > MAX_PAIRS) {
      Cookies all = new Cookies(text);
      int pairs = 0;
      for (int eq = all.find(null, 0); eq >= 0; eq = all.find(null, all.after(eq))) {
        if (++pairs > MAX_PAIRS) {
          log.debug("cookies not read: more than {} pairs", MAX_PAIRS);
          return UNREAD;
        }
      }
      return pairs == 0 ? NONE : all;
    }
    return new Cookies(text);
  }

  private static int skipSpace(String s, int from, int to) {
    while (from < to && Character.isWhitespace(s.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimSpace(String s, int from, int to) {
    while (to > from && Character.isWhitespace(s.charAt(to - 1))) {
      to--;
    }
    return to;
  }
}
