package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Reads a form field from a URL-encoded request body only. The servlet API merges the query string's parameters with the
 * body's, query string first (Servlet 6.0, 3.1.1); a field that proves intent (the CSRF token, the acceptance of the
 * terms) must come from the form the user submitted, never from a link someone else wrote.
 */
final class FormFields {
  /** The login form's and the terms page's field that accepts the current terms of use, with the value {@code yes}. */
  static final String ACCEPT_TERMS = "acceptTerms";

  private FormFields() {}

  /** Whether the request body accepts the current terms of use. */
  static boolean acceptsTerms(Exchange exchange) {
    return "yes".equals(fromBody(exchange, ACCEPT_TERMS));
  }

  /**
   * The first value the request body gave field {@code name}, or null. The values the query string gave come first in
   * {@link HttpServletRequest#getParameterValues}; they are counted here and skipped. The body is read within the
   * client address's share of form reads ({@link Exchange#readFormBody()}).
   */
  static String fromBody(Exchange exchange, String name) {
    HttpServletRequest request = exchange.original();
    if (!urlEncoded(request)) {
      return null;
    }
    exchange.readFormBody();
    String[] all;
    try {
      all = request.getParameterValues(name);
    } catch (RuntimeException e) {
      // Jetty's BadMessageException, Tomcat's InvalidParameterException (which Tomcat throws once,
      // then answers from what it could parse): the request is refused, never read further.
      throw new UnreadableForm(e);
    }
    if (all == null) {
      return null;
    }
    int inQuery = countInQuery(request.getQueryString(), name);
    return all.length > inQuery ? all[inQuery] : null;
  }

  /**
   * Whether the request body is a URL-encoded form ({@code application/x-www-form-urlencoded}, what an HTML form sends
   * by default), the only kind whose fields are read. A container also parses a {@code multipart/form-data} body into
   * the parameters when the servlet the request is mapped to has a multipart configuration (Spring Boot's dispatcher
   * servlet has one), so without this a multipart form's parts would count as its fields there and nowhere else; the
   * token of a multipart form travels in the header, and its body is never parsed before the application's.
   *
   * @throws UnreadableForm when the container cannot read the content type (Jetty, for a charset that does not exist)
   */
  static boolean urlEncoded(HttpServletRequest request) {
    String type;
    try {
      type = request.getContentType();
    } catch (RuntimeException e) {
      throw new UnreadableForm(e);
    }
    if (type == null) {
      return false;
    }
    int semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.substring(0, semicolon))
        .strip()
        .equalsIgnoreCase("application/x-www-form-urlencoded");
  }

  /**
   * How many times the raw query string names field {@code name}. A name that does not decode counts, so that a
   * query value is never taken for a body value.
   */
  static int countInQuery(String query, String name) {
    if (query == null || query.isEmpty()) {
      return 0;
    }
    int count = 0;
    int start = 0;
    while (start <= query.length()) {
      int end = query.indexOf('&', start);
      if (end < 0) {
        end = query.length();
      }
      // The '=' within this part only: a search to the end of the query for every part would take
      // time quadratic in the number of parts without one.
      int eq = start;
      while (eq < end && query.charAt(eq) != '=') {
        eq++;
      }
      String rawName = query.substring(start, eq);
      if (!rawName.isEmpty()) {
        try {
          if (URLDecoder.decode(rawName, StandardCharsets.UTF_8).equals(name)) {
            count++;
          }
        } catch (IllegalArgumentException e) {
          count++;
        }
      }
      start = end + 1;
    }
    return count;
  }

  /**
   * The container could not parse the form body. Thrown through the stages after the CSRF stage, which refuses the
   * request with a plain {@code 400}.
   */
  static final class UnreadableForm extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreadableForm(RuntimeException cause) {
      super("the form body could not be read", cause, false, false);
    }
  }

  /**
   * The request's client address is sending as many forms as it may at once, or every place for anonymous forms is
   * taken ({@link FormBodyReads}); the body was not read. Thrown through the stages after the CSRF stage, which
   * refuses the request with a plain {@code 503}.
   */
  static final class TooManyForms extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyForms(FormBodyReads.Refusal refusal) {
      super(refusal.reason(), null, false, false);
    }
  }
}
