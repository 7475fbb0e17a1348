package dev.portcullis.servlet;

/** The request path inside the application, as sent (still percent-encoded), for comparing with endpoint paths. */
final class Paths {
  private Paths() {}

  /** The path in context, or {@code ""} when the request has none (so it equals no endpoint path). */
  static String path(Exchange exchange) {
    String path = exchange.pathInContext();
    return path == null ? "" : path;
  }

  /**
   * The still-encoded path after the context path ({@code /} for the context root), or null when the raw URI does not
   * start with the context path as sent (an encoded context path: refused by the access stage, matched by nothing).
   */
  static String inContext(jakarta.servlet.http.HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    if (uri == null || context == null || !uri.startsWith(context)) {
      return null;
    }
    String path = uri.substring(context.length());
    return path.isEmpty() ? "/" : path;
  }
}
