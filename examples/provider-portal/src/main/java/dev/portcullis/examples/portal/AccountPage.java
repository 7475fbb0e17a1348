package dev.portcullis.examples.portal;

import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.TreeSet;

/**
 * {@code GET /account}: who you are, your organisation and role, your single sign-on links (when single sign-on is
 * on), and the two ways to log out.
 */
final class AccountPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient PortalSso sso;

  AccountPage(PortalSso sso) {
    this.sso = sso;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    PortalPrincipal principal = Html.principal(req);
    if (principal == null) {
      resp.sendRedirect("/login");
      return;
    }
    PortalUser u = principal.user();
    String body =
        "<dl class=\"facts\">\n<dt>Name</dt><dd>" + Html.escape(u.displayName()) + "</dd>\n"
            + "<dt>Email address</dt><dd>" + Html.escape(u.email()) + "</dd>\n"
            + "<dt>Organisation</dt><dd>" + Html.escape(DemoData.organisationName(u.organisation()))
            + "</dd>\n"
            + "<dt>Role</dt><dd>" + Html.escape(String.join(", ", new TreeSet<>(u.roles())))
            + "</dd>\n</dl>\n"
            + sso.accountSection(req)
            + "<h2>Log out</h2>\n<form method=\"post\" action=\"/logout\">" + Html.csrfField(req)
            + "<button type=\"submit\">Log out of this browser</button></form>\n"
            + "<h2>Log out everywhere</h2>\n<p>If you used the portal on another computer, or think someone else may"
            + " be logged in as you, end every session of your account at once.</p>\n"
            + "<form method=\"post\" action=\"/logout-everywhere\">" + Html.csrfField(req)
            + "<button type=\"submit\">Log out everywhere</button></form>\n";
    Html.send(req, resp, HttpServletResponse.SC_OK, "Your account", body);
  }
}
