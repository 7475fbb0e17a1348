package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;

/**
 * Reads the trace id from a request's W3C Trace Context {@code traceparent} header, strictly: version {@code 00},
 * a trace id of 32 lower-case hex digits that are not all zero, a parent id of 16 that are not all zero, and two
 * digits of flags, nothing more. Anything else, and a request with more than one such header, has no trace id.
 *
 * <p><b>Security.</b> The header is the client's: a valid one joins the request's audit events to a trace, nothing
 * more. Its value never decides access, and an invalid one is ignored, never echoed.
 */
final class TraceParent {
  static final String HEADER = "traceparent";
  private static final int LENGTH = 55; // 2 + 1 + 32 + 1 + 16 + 1 + 2

  private TraceParent() {}

  /** The request's trace id, or null when it sent no valid {@code traceparent}. */
  static String traceId(HttpServletRequest request) {
    Enumeration<String> headers = request.getHeaders(HEADER);
    if (headers == null || !headers.hasMoreElements()) {
      return null;
    }
    String value = headers.nextElement();
    return headers.hasMoreElements() ? null : traceId(value);
  }

  /** The trace id of a {@code traceparent} value, or null when it is not a valid version-00 value. */
  static String traceId(String value) {
    if (value == null
        || value.length() != LENGTH
        || value.charAt(0) != '0'
        || value.charAt(1) != '0'
        || value.charAt(2) != '-'
        || value.charAt(35) != '-'
        || value.charAt(52) != '-'
        || !lowerHex(value, 3, 35)
        || !lowerHex(value, 36, 52)
        || !lowerHex(value, 53, 55)
        || allZero(value, 3, 35)
        || allZero(value, 36, 52)) {
      return null;
    }
    return value.substring(3, 35);
  }

  /**
   * A tracer's trace id in the W3C form: 32 lower-case hex digits as they are, 16 (a 64-bit id) left-padded with
   * zeros; null for null, all zeros or any other form.
   */
  static String fromTracer(String traceId) {
    if (traceId == null) {
      return null;
    }
    String id;
    if (traceId.length() == 32) {
      id = traceId;
    } else if (traceId.length() == 16) {
      id = "0000000000000000" + traceId;
    } else {
      return null;
    }
    return lowerHex(id, 0, 32) && !allZero(id, 0, 32) ? id : null;
  }

  private static boolean lowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean allZero(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
