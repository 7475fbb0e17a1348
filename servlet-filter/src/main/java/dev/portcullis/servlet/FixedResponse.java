package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The few responses Portcullis writes itself instead of passing the request on: a status with a fixed sentence, or a
 * redirect. The body never contains anything taken from the request, so there is nothing to reflect or escape. The
 * response goes through the {@link Exchange}'s wrapper, so security headers and session state are written before it
 * commits, as for the application's own responses.
 */
final class FixedResponse {
  private FixedResponse() {}

  /** Answers {@code status} with {@code sentence} as a one-line plain-text body. */
  static void text(Exchange exchange, int status, String sentence) throws IOException {
    HttpServletResponse response = exchange.response();
    if (response.isCommitted()) {
      return;
    }
    response.resetBuffer();
    response.setStatus(status);
    response.setContentType("text/plain;charset=utf-8");
    byte[] body = (sentence + "\n").getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer();
  }

  /**
   * Answers {@code status} with {@code location} and no body. The location must already be safe for a header
   * (visible ASCII); callers build it from checked or encoded parts.
   */
  static void redirect(Exchange exchange, int status, String location) throws IOException {
    HttpServletResponse response = exchange.response();
    if (response.isCommitted()) {
      return;
    }
    response.resetBuffer();
    response.setStatus(status);
    response.setHeader("Location", location);
    response.setContentLength(0);
    response.flushBuffer();
  }
}
