package dev.portcullis.benchmarks.http;

import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.Principal;

/**
 * The application under load, the same on both sides: one short plain-text page for every path, naming the
 * principal ({@code principal=<name>} or {@code principal=anonymous}) so that the load generator can check who it was
 * answered as, and the CSRF token when the filter offers one (as a page with a logout or login form would).
 *
 * <p>{@link #CASES_PATH} is what users see instead: after the same first line, a realistic HTML page of about 10 KB
 * (a header, a navigation bar, a table of 64 case rows with escaped text, a form with the CSRF token), rendered on
 * each request as a template engine would, so that the filter's share of a real page's cost can be read off.
 */
final class PrincipalPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  static final String ANONYMOUS = "anonymous";
  /** The realistic page (it needs a login behind the filter). */
  static final String CASES_PATH = "/cases";

  private static final int ROWS = 64;
  private static final String[] STATUSES = {
    "open", "waiting for the provider", "closed", "escalated"
  };
  private static final String[] ORGANISATIONS = {
    "Riverside Care & Support", "Hillview <Home> Services", "Northgate \"Community\" Trust"
  };

  /** The body's first line for {@code name}; the load generator's check looks for exactly this, newline included. */
  static String principalLine(String name) {
    return "principal=" + name + "\n";
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    boolean report = CASES_PATH.equals(req.getRequestURI());
    resp.setContentType(report ? "text/html;charset=utf-8" : "text/plain;charset=utf-8");
    Principal principal = req.getUserPrincipal();
    PrintWriter out = resp.getWriter();
    String name = principal == null ? ANONYMOUS : principal.getName();
    out.write(principalLine(name));
    Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    if (report) {
      out.write(report(name, csrf == null ? "" : csrf.toString()));
    } else if (csrf != null) {
      out.write("csrf=" + csrf + "\n");
    }
  }

  /** The page, built afresh as a template would build it. */
  static String report(String user, String csrf) {
    StringBuilder b = new StringBuilder(12 * 1024);
    b.append(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Open cases</title>")
        .append("<link rel=\"stylesheet\" href=\"/assets/portal.css\"></head>\n<body>\n")
        .append("<header><a href=\"/\">Provider portal</a> <span class=\"user\">")
        .append(escape(user))
        .append(
            "</span><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"_csrf\" value=\"")
        .append(escape(csrf))
        .append("\"><button>Log out</button></form></header>\n")
        .append("<nav><a href=\"/cases\">Cases</a> <a href=\"/reports\">Reports</a> ")
        .append("<a href=\"/messages\">Messages</a> <a href=\"/account\">Account</a></nav>\n")
        .append("<main><h1>Open cases</h1>\n<table><thead><tr><th>Case</th><th>Organisation</th>")
        .append("<th>Status</th><th>Updated</th></tr></thead><tbody>\n");
    for (int i = 0; i < ROWS; i++) {
      b.append("<tr><td><a href=\"/cases/")
          .append(10_000 + i)
          .append("\">C-")
          .append(10_000 + i)
          .append("</a></td><td>")
          .append(escape(ORGANISATIONS[i % ORGANISATIONS.length]))
          .append("</td><td>")
          .append(escape(STATUSES[i % STATUSES.length]))
          .append("</td><td>2026-11-")
          .append(10 + i % 20)
          .append("</td></tr>\n");
    }
    return b.append("</tbody></table></main>\n<footer>Provider portal</footer>\n</body></html>\n")
        .toString();
  }

  private static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
