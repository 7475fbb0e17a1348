package dev.portcullis.examples.war;

import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * {@code /terms}: the terms of use, open to everyone ({@code portcullis.access.public-paths}). Portcullis holds a
 * logged-in user who has not accepted the current version here, so the page gives such a user the form that accepts
 * them ({@code acceptTerms=yes} and {@code _csrf}, posted back here); Portcullis records the acceptance and sends the
 * user on. Without this page such a user could reach nothing at all.
 */
public final class TermsPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    PrintWriter out = Pages.html(response, "Terms of use");
    out.println(
        "<h1>Terms of use</h1><p>Version 2026-01. Use the portal for your work only, and keep"
            + " your password to yourself.</p>");
    if (request.getUserPrincipal() instanceof PortalPrincipal) {
      out.println("<form method=\"post\" action=\"" + request.getContextPath() + "/terms\">"
          + Pages.csrfField(request)
          + "<label><input type=\"checkbox\" name=\"acceptTerms\" value=\"yes\" required>"
          + " I accept these terms</label><button>Continue</button></form>");
    }
    out.println("</body></html>");
  }

  /** Reached only when there was nothing (left) to accept: Portcullis answers a needed acceptance itself. */
  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) {
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
    response.setHeader("Location", request.getContextPath() + "/account");
  }
}
