package dev.portcullis.examples.portal;

import dev.portcullis.login.LoginEndpoints;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /terms}: the terms of use, with an "I accept" form for a logged-in user who has not accepted the current
 * version (the filter sends such a user here and records the {@code POST}).
 */
final class TermsPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient PortalLogin login;

  TermsPage(PortalLogin login) {
    this.login = login;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StringBuilder b = new StringBuilder(1024)
        .append("<p>Version ")
        .append(Html.escape(login.terms().version()))
        .append(".</p>\n<ol>\n")
        .append("<li>Use the portal only for your work with your own organisation.</li>\n")
        .append("<li>Keep your password to yourself and log out on shared computers.</li>\n")
        .append(
            "<li>What you open is recorded in the audit log (see <a href=\"/privacy\">privacy</a>).</li>\n")
        .append("<li>Report anything you see that you should not be able to see.</li>\n</ol>\n");
    PortalPrincipal user = Html.principal(req);
    if (user != null && login.terms().needsAcceptance(user.user())) {
      b.append("<form method=\"post\" action=\"/terms\">")
          .append(Html.csrfField(req))
          .append(
              "<div class=\"check\"><input id=\"acceptTerms\" name=\"acceptTerms\" type=\"checkbox\"")
          .append(
              " value=\"yes\" required><label for=\"acceptTerms\">I accept these terms</label></div>")
          .append("<button type=\"submit\">Continue</button></form>\n");
    }
    Html.send(req, resp, HttpServletResponse.SC_OK, "Terms of use", b.toString());
  }

  /** Reached only when there is nothing to accept (the filter handles a needed acceptance). */
  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
    resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
    LoginEndpoints endpoints = login.endpoints();
    resp.setHeader(
        "Location",
        Html.principal(req) == null ? endpoints.loginPath() : endpoints.afterLoginPath());
  }
}
