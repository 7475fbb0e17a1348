package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads request cookies straight from the {@code Cookie} headers (RFC 6265 {@code name=value} pairs separated by
 * {@code ;}), not through the container's parsed and cached cookie list: the security decisions see exactly what this
 * request sent. Malformed pairs are skipped; a malformed header never fails the request.
 */
final class Cookies {
  /** Headers longer than this are ignored whole. */
  static final int MAX_HEADER = 16 * 1024;

  private Cookies() {}

  /** Every value sent for cookie {@code name}, in order (more than one means duplicates). */
  static List<String> values(Exchange exchange, String name) {
    return exchange.requestCookies().getOrDefault(name, List.of());
  }

  /** Every cookie pair of the request's {@code Cookie} headers, by name, values in the order sent. */
  static Map<String, List<String>> parse(HttpServletRequest request) {
    Map<String, List<String>> out = new HashMap<>();
    Enumeration<String> headers;
    try {
      headers = request.getHeaders("Cookie");
    } catch (RuntimeException e) {
      return out;
    }
    while (headers != null && headers.hasMoreElements()) {
      String header = headers.nextElement();
      if (header == null || header.length() > MAX_HEADER) {
        continue;
      }
      int start = 0;
      while (start <= header.length()) {
        int end = header.indexOf(';', start);
        if (end < 0) {
          end = header.length();
        }
        int eq = header.indexOf('=', start);
        if (eq > start && eq < end) {
          String value = header.substring(eq + 1, end).strip();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          out.computeIfAbsent(header.substring(start, eq).strip(), k -> new ArrayList<>(1))
              .add(value);
        }
        start = end + 1;
      }
    }
    return out;
  }

  static boolean has(Exchange exchange, String name) {
    return !values(exchange, name).isEmpty();
  }
}
