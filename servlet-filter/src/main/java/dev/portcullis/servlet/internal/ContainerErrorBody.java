package dev.portcullis.servlet.internal;

/**
 * The body of an error response a server writes itself, for the adapters that replace the server's own error page
 * (Jetty's error handler, Tomcat's error report valve): the status code and its standard reason phrase as plain text,
 * the same for every request with that status. It names neither the server nor anything of the request, whose
 * reason for the refusal goes to the server's log only.
 */
public final class ContainerErrorBody {
  /** The media type of {@link #text}. */
  public static final String CONTENT_TYPE = "text/plain;charset=utf-8";

  private ContainerErrorBody() {}

  /** {@code "404 Not Found\n"} for 404; a status without a phrase here is {@code "<status> Error"}. */
  public static String text(int status) {
    return status + " " + reason(status) + "\n";
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 406 -> "Not Acceptable";
      case 408 -> "Request Timeout";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 417 -> "Expectation Failed";
      case 421 -> "Misdirected Request";
      case 426 -> "Upgrade Required";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      case 505 -> "HTTP Version Not Supported";
      default -> "Error";
    };
  }
}
