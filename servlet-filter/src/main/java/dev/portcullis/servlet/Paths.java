package dev.portcullis.servlet;

/** The request path inside the application, as sent (still percent-encoded), for comparing with endpoint paths. */
final class Paths {
  private Paths() {}

  static String path(Exchange exchange) {
    String uri = exchange.original().getRequestURI();
    String ctx = exchange.original().getContextPath();
    if (uri == null) {
      return "";
    }
    return ctx != null && !ctx.isEmpty() && uri.startsWith(ctx) ? uri.substring(ctx.length()) : uri;
  }
}
