package dev.portcullis.servlet.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

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

  /**
   * Answers with {@code status} and this body on a servlet response, as a server's replaced error page does: the
   * headers of {@link SecurityHeaders#everyResponse()}, {@code Cache-Control: no-store} and the plain text, for a
   * component that must answer before any filter configuration exists to say more (no {@code
   * Strict-Transport-Security}, whose lifetime is configuration). Never through {@code sendError}, which would hand
   * the answer to the container's own error page. Does nothing once the response has committed.
   */
  public static void write(HttpServletResponse response, int status) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    response.setStatus(status);
    SecurityHeaders.writeEveryResponse(response::setHeader);
    response.setHeader("Cache-Control", "no-store");
    response.setContentType(CONTENT_TYPE);
    PrintWriter writer = response.getWriter();
    writer.print(text(status));
    writer.flush();
  }

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
