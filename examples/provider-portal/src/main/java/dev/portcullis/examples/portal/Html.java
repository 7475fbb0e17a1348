package dev.portcullis.examples.portal;

import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The portal's page frame and HTML escaping. Every value that did not come from a literal in this module goes through
 * {@link #escape}; pages are plain HTML with a stylesheet and no script, so they work without JavaScript and under a
 * strict Content-Security-Policy.
 */
final class Html {
  /**
   * No script, no inline style, no framing, forms only to this site. Belongs to the application (it knows it has no
   * script), so it stays when the filter's transport stage adds its own headers.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; style-src 'self'; img-src 'self'; "
          + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private Html() {}

  /** Escapes {@code text} for HTML element content and double- or single-quoted attribute values. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
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

  /** The hidden CSRF field for a form that posts back to this site; empty when the filter offers no token. */
  static String csrfField(HttpServletRequest request) {
    Object token = request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    return token == null
        ? ""
        : "<input type=\"hidden\" name=\"_csrf\" value=\"" + escape(token.toString()) + "\">";
  }

  /** The logged-in user, or null. */
  static PortalPrincipal principal(HttpServletRequest request) {
    return request.getUserPrincipal() instanceof PortalPrincipal p ? p : null;
  }

  /**
   * Writes a complete page.
   *
   * @param title plain text; escaped here
   * @param body HTML, already escaped by the caller
   */
  static void send(
      HttpServletRequest request,
      HttpServletResponse response,
      int status,
      String title,
      String body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("text/html;charset=utf-8");
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    // Pages show a person's organisation and reports: no copy in shared or browser caches.
    response.setHeader("Cache-Control", "no-store");
    PortalPrincipal user = principal(request);
    StringBuilder page = new StringBuilder(4096)
        .append("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(escape(title))
        .append(" – Provider portal</title>\n")
        .append("<link rel=\"stylesheet\" href=\"/portal.css\">\n</head>\n<body>\n")
        .append("<a class=\"skip\" href=\"#main\">Skip to main content</a>\n<header>\n")
        .append(
            "<p class=\"brand\"><a href=\"/\">Provider portal</a> <span class=\"tag\">Demonstration</span></p>\n")
        .append("<nav aria-label=\"Main\"><ul>\n");
    if (user != null) {
      page.append("<li><a href=\"/reports\">Reports</a></li>\n");
    }
    if (user != null && user.user().hasRole(Monitoring.ROLE)) {
      page.append(
              "<li><a href=\"" + Monitoring.SERVICE_DEMAND_PATH + "\">Service demand</a></li>\n")
          .append("<li><a href=\"" + Monitoring.AUDIT_PATH + "\">Audit log</a></li>\n");
    }
    page.append("<li><a href=\"/search\">Find a care service</a></li>\n");
    if (user != null) {
      page.append("<li><a href=\"/account\">Your account</a></li>\n");
    } else {
      page.append("<li><a href=\"/login\">Log in</a></li>\n");
    }
    page.append("<li><a href=\"/privacy\">Privacy and cookies</a></li>\n</ul></nav>\n");
    if (user != null) {
      page.append("<div class=\"who\"><p>Logged in as <strong>")
          .append(escape(user.user().displayName()))
          .append("</strong>, ")
          .append(escape(DemoData.organisationName(user.user().organisation())))
          .append("</p>\n<form method=\"post\" action=\"/logout\">")
          .append(csrfField(request))
          .append("<button type=\"submit\">Log out</button></form></div>\n");
    }
    page.append("</header>\n<main id=\"main\">\n<h1>")
        .append(escape(title))
        .append("</h1>\n")
        .append(body)
        .append(
            "\n</main>\n<footer><p>An example of the Portcullis security library. Every name and report here is"
                + " invented. <a href=\"/terms\">Terms of use</a> · <a href=\"/privacy\">Privacy and cookies</a></p>"
                + "</footer>\n</body>\n</html>\n");
    PrintWriter w = response.getWriter();
    w.write(page.toString());
    w.flush();
  }
}
