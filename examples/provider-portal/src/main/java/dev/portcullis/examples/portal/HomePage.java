package dev.portcullis.examples.portal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /}: what the portal is and where to start; after a password login, the offer to link the account to
 * single sign-on when the filter made one.
 */
final class HomePage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient PortalSso sso;

  HomePage(PortalSso sso) {
    this.sso = sso;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String start = Html.principal(req) == null
        ? "<p><a href=\"/login\">Log in</a> to see your organisation's reports.</p>\n"
        : "<p><a href=\"/reports\">See your organisation's reports</a>.</p>\n";
    Html.send(
        req,
        resp,
        HttpServletResponse.SC_OK,
        "Provider portal",
        "<p>Care providers see their own organisation's reports here; council officers see them all. Anyone can"
            + " <a href=\"/search\">find a care service</a>.</p>\n" + start + sso.offer(req));
  }
}
