package dev.portcullis.examples.war;

import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.Principal;

/**
 * {@code GET /account}: the protected page. Portcullis lets only logged-in users reach it (no access setting makes it
 * public), so the principal is always there; the page still checks rather than assumes.
 */
public final class AccountPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Principal principal = request.getUserPrincipal();
    if (!(principal instanceof PortalPrincipal user)) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN);
      return;
    }
    PrintWriter out = Pages.html(response, "Your account");
    out.println("<h1>Your account</h1><p>Logged in as <span id=\"user\">"
        + Pages.escape(user.getName()) + "</span>.</p>");
    out.println("<form method=\"post\" action=\"" + request.getContextPath() + "/logout\">"
        + Pages.csrfField(request) + "<button>Log out</button></form></body></html>");
  }
}
