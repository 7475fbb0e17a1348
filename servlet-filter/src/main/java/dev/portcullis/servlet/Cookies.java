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
 * <p>The headers are parsed once per request into the positions of each pair's name and value; a value becomes a
 * string only when a stage asks for its cookie, and names are compared as sent (cookie names are case-sensitive).
 *
 * <p>Bounded whatever the container lets through (Undertow reads up to 1 MiB of headers by default): a header longer
 * than {@value #MAX_HEADER} characters is ignored whole, and a request whose headers hold more than {@value #MAX_PAIRS}
 * pairs counts as sending no cookie that can be read (no session, no login), which is logged at DEBUG. The pairs'
 * offsets take at most 16 KiB however many {@code ;} or {@code =} the headers hold. A browser sends far fewer pairs:
 * Chrome and Firefox keep at most 180 cookies per site. A request over the bound is never read in part, so that a
 * cookie sent twice cannot pass for one sent once.
 */
final class Cookies {
  /** Headers longer than this are ignored whole. */
  static final int MAX_HEADER = 16 * 1024;

  /** More pairs than this make every cookie of the request unread. */
  static final int MAX_PAIRS = 1_000;

  private static final Logger log = LoggerFactory.getLogger(Cookies.class);

  private static final Cookies NONE = new Cookies("", new int[0], 0);

  /** A request that sent cookies past a bound: none is read, but it did send some. */
  private static final Cookies UNREAD = new Cookies("", new int[0], 0);

  /** The {@code Cookie} headers, joined with {@code ;} when the request sent more than one. */
  private final String text;
  /** Per pair, four offsets into {@link #text}: name start and end, value start and end (trimmed, unquoted). */
  private final int[] pairs;

  private final int count;

  private Cookies(String text, int[] pairs, int count) {
    this.text = text;
    this.pairs = pairs;
    this.count = count;
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
    String first = null;
    List<String> all = null;
    for (int i = 0; i < count; i += 4) {
      if (nameIs(i, name)) {
        String value = text.substring(pairs[i + 2], pairs[i + 3]);
        if (first == null) {
          first = value;
        } else {
          if (all == null) {
            all = new ArrayList<>(4);
            all.add(first);
          }
          all.add(value);
        }
      }
    }
    return all != null ? all : first != null ? List.of(first) : List.of();
  }

  /** The first value sent for cookie {@code name}, or null. */
  String first(String name) {
    for (int i = 0; i < count; i += 4) {
      if (nameIs(i, name)) {
        return text.substring(pairs[i + 2], pairs[i + 3]);
      }
    }
    return null;
  }

  /** The one value sent for cookie {@code name} if it is well formed for {@code format}; null otherwise. */
  static String wellFormedSingle(Cookies cookies, String name, LoginFormTokens format) {
    String value = cookies.count(name) == 1 ? cookies.first(name) : null;
    return format.isWellFormed(value) ? value : null;
  }

  /** Whether the request sent no cookie at all. */
  boolean isEmpty() {
    return count == 0 && this != UNREAD;
  }

  /** How many values the request sent for cookie {@code name}. */
  int count(String name) {
    int n = 0;
    for (int i = 0; i < count; i += 4) {
      if (nameIs(i, name)) {
        n++;
      }
    }
    return n;
  }

  private boolean nameIs(int pair, String name) {
    int start = pairs[pair];
    int length = pairs[pair + 1] - start;
    return length == name.length() && text.regionMatches(start, name, 0, length);
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
    // At most one pair per ';'-separated part, and each has an '=': count both, so the offsets take
    // one allocation no larger than the pairs need (a header of bare ';' or '=' needs none).
    // indexOf rather than a loop over characters: the JDK scans many at a time.
    int length = text.length();
    int parts = 1;
    for (int i = text.indexOf(';'); i >= 0; i = text.indexOf(';', i + 1)) {
      parts++;
    }
    int equals = 0;
    for (int i = text.indexOf('='); i >= 0 && equals < parts; i = text.indexOf('=', i + 1)) {
      equals++;
    }
    int most = Math.min(Math.min(parts, equals), MAX_PAIRS);
    if (most == 0) {
      return NONE;
    }
    int[] pairs = new int[4 * most];
    int count = 0;
    int start = 0;
    int nextEq = text.indexOf('=');
    while (start <= length) {
      int end = text.indexOf(';', start);
      if (end < 0) {
        end = length;
      }
      if (nextEq >= 0 && nextEq < start) {
        nextEq = text.indexOf('=', start);
      }
      int eq = nextEq >= 0 && nextEq < end ? nextEq : -1;
      if (eq > start) {
        if (count == 4 * MAX_PAIRS) {
          log.debug("cookies not read: more than {} pairs", MAX_PAIRS);
          return UNREAD;
        }
        int nameStart = skipSpace(text, start, eq);
        int nameEnd = trimSpace(text, nameStart, eq);
        int valueStart = skipSpace(text, eq + 1, end);
        int valueEnd = trimSpace(text, valueStart, end);
        if (valueEnd - valueStart >= 2
            && text.charAt(valueStart) == '"'
            && text.charAt(valueEnd - 1) == '"') {
          valueStart++;
          valueEnd--;
        }
        pairs[count++] = nameStart;
        pairs[count++] = nameEnd;
        pairs[count++] = valueStart;
        pairs[count++] = valueEnd;
      }
      start = end + 1;
    }
    return count == 0 ? NONE : new Cookies(text, pairs, count);
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
