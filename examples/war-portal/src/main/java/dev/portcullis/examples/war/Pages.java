package dev.portcullis.examples.war;

import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/** What the example's pages share: plain HTML with escaped text and the CSRF token the filter offers. */
final class Pages {
  private Pages() {}

  static PrintWriter html(HttpServletResponse response, String title) throws IOException {
    response.setContentType("text/html;charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    PrintWriter out = response.getWriter();
    out.println("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
        + escape(title) + "</title></head><body>");
    return out;
  }

  /** A hidden form field with the session's CSRF token, which every POST needs. */
  static String csrfField(HttpServletRequest request) {
    Object token = request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    return token == null
        ? ""
        : "<input type=\"hidden\" name=\"_csrf\" value=\"" + escape(token.toString()) + "\">";
  }

  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
