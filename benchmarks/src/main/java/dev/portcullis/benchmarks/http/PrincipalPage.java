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
 */
final class PrincipalPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  static final String ANONYMOUS = "anonymous";

  /** The body's first line for {@code name}; the load generator's check looks for exactly this, newline included. */
  static String principalLine(String name) {
    return "principal=" + name + "\n";
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain;charset=utf-8");
    Principal principal = req.getUserPrincipal();
    PrintWriter out = resp.getWriter();
    out.write(principalLine(principal == null ? ANONYMOUS : principal.getName()));
    Object csrf = req.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    if (csrf != null) {
      out.write("csrf=" + csrf + "\n");
    }
  }
}
