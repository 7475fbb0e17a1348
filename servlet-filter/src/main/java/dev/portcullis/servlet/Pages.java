package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The few responses the filter writes itself: short, generic, never reflecting input, except the account link's
 * confirmation page, which shows the provider's identity escaped. Each says {@code Cache-Control: no-store}, whoever
 * asked: a refusal, a redirect or a page of the filter's answers one request, and a shared cache that kept it would
 * serve it for others.
 */
final class Pages {
  /**
   * The {@code Content-Security-Policy} of every HTML page the filter renders, in place of the transport's
   * frame-ancestors policy: the pages need no script, style, image, font or frame, so none may load or run, and their
   * forms post to this site only. Should an escaping mistake let markup into a page, it can neither run a script nor
   * send a form elsewhere, nor move the page's relative links with a {@code <base>}. A page that ever needs a style
   * adds it here by its hash, never {@code 'unsafe-inline'}. It keeps {@code frame-ancestors 'none'}, so that the
   * transport stage, which adds that policy to a response without it, leaves this one alone as the only header.
   */
  static final String PAGE_POLICY = "default-src 'none'; form-action 'self'; "
      + TransportStage.FRAME_ANCESTORS + "; base-uri 'none'";

  private Pages() {}

  static void plain(HttpServletResponse response, int status, String text) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.setStatus(status);
    response.setHeader("Cache-Control", "no-store");
    response.setContentType("text/plain;charset=utf-8");
    PrintWriter w = response.getWriter();
    w.println(text);
    w.flush();
  }

  /**
   * Asks the container to close an HTTP/1 connection after the response, so that it does not read the body the filter
   * left unread. HTTP/2 has no such header (RFC 9113 8.2.2: a response carrying {@code Connection} is malformed, and
   * clients reset the stream, losing the answer; Tomcat sends it as written): there the container resets the stream
   * instead of reading the body.
   */
  static void closeAfterResponse(Exchange exchange) {
    String protocol = exchange.original().getProtocol();
    if (protocol != null && protocol.startsWith("HTTP/1")) {
      exchange.response().setHeader("Connection", "close");
    }
  }

  /** The one page for "not now, a store or the audit log cannot answer": a plain 503, the same words everywhere. */
  static void serviceUnavailable(HttpServletResponse response) throws IOException {
    plain(
        response,
        HttpServletResponse.SC_SERVICE_UNAVAILABLE,
        "Service unavailable. Please try again later.");
  }

  /**
   * An HTML page the filter built itself, every untrusted part of it passed through {@link #escape}, with {@link
   * #PAGE_POLICY} as its one {@code Content-Security-Policy}.
   */
  static void html(HttpServletResponse response, int status, String page) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.setStatus(status);
    response.setHeader("Cache-Control", "no-store");
    // Replaces the transport's frame-ancestors policy rather than adding a second header.
    response.setHeader("Content-Security-Policy", PAGE_POLICY);
    response.setContentType("text/html;charset=utf-8");
    PrintWriter w = response.getWriter();
    w.print(page);
    w.flush();
  }

  /** {@code text} made safe for HTML element content and quoted attribute values. */
  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A redirect with {@code status} to {@code absoluteUrl}, which the caller has built from checked parts (it goes into
   * the {@code Location} header as it is).
   */
  static void redirect(Exchange exchange, int status, String absoluteUrl) throws IOException {
    HttpServletResponse response = exchange.response();
    if (response.isCommitted()) {
      return;
    }
    response.setStatus(status);
    response.setHeader("Location", absoluteUrl);
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(0);
    exchange.committing();
    response.flushBuffer();
  }

  /** A 303 to {@code path} on this site (context path prepended). */
  static void seeOther(Exchange exchange, String pathAndQuery) throws IOException {
    redirect(
        exchange,
        HttpServletResponse.SC_SEE_OTHER,
        exchange.original().getContextPath() + pathAndQuery);
  }
}
