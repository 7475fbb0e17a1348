package dev.portcullis.examples.portal;

import dev.portcullis.servlet.PortalPrincipal;
import dev.portcullis.servlet.UserSessions;
import dev.portcullis.session.ActiveSession;
import dev.portcullis.session.SessionEnd;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code GET /account}: who you are, your organisation and role, your single sign-on links (when single sign-on is
 * on), your sessions (created, last seen, address and browser at login) with "end this session" for the others, and
 * the two ways to log out. {@code POST} {@value #END_SESSION_PATH} ends one of the other sessions.
 */
final class AccountPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** Where the "end this session" form posts. */
  static final String END_SESSION_PATH = "/account/sessions/end";

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

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
            + sessionsSection(req)
            + "<h2>Log out</h2>\n<form method=\"post\" action=\"/logout\">" + Html.csrfField(req)
            + "<button type=\"submit\">Log out of this browser</button></form>\n"
            + "<h2>Log out everywhere</h2>\n<p>If you used the portal on another computer, or think someone else may"
            + " be logged in as you, end every session of your account at once.</p>\n"
            + "<form method=\"post\" action=\"/logout-everywhere\">" + Html.csrfField(req)
            + "<button type=\"submit\">Log out everywhere</button></form>\n";
    Html.send(req, resp, HttpServletResponse.SC_OK, "Your account", body);
  }

  /** Ends one of the user's other sessions by the handle the page listed, then back to the account page. */
  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Optional<UserSessions> sessions = UserSessions.of(req);
    if (sessions.isEmpty()) {
      resp.sendRedirect("/login");
      return;
    }
    SessionEnd outcome = sessions.get().end(req.getParameter("session"));
    resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
    resp.setHeader(
        "Location", outcome instanceof SessionEnd.Ended ? "/account?ended=1" : "/account?ended=0");
  }

  private static String sessionsSection(HttpServletRequest req) {
    Optional<UserSessions> sessions = UserSessions.of(req);
    if (sessions.isEmpty()) {
      return "";
    }
    StringBuilder html = new StringBuilder("<h2>Your sessions</h2>\n");
    String ended = req.getParameter("ended");
    if ("1".equals(ended)) {
      html.append(
          "<p class=\"note\" role=\"status\">The session was ended. That browser is logged out.</p>\n");
    } else if ("0".equals(ended)) {
      html.append(
          "<p class=\"note\" role=\"status\">That session could not be ended; it may have ended"
              + " already.</p>\n");
    }
    html.append(
        "<p>Where your account is logged in now. If you do not recognise a session, end it and change"
            + " your password.</p>\n");
    List<ActiveSession> list;
    try {
      list = sessions.get().list();
    } catch (RuntimeException e) {
      return html.append("<p>Your sessions cannot be listed just now.</p>\n").toString();
    }
    html.append("<table class=\"sessions\">\n<thead><tr><th scope=\"col\">Browser</th>"
        + "<th scope=\"col\">Address</th><th scope=\"col\">Logged in</th>"
        + "<th scope=\"col\">Last seen</th><th scope=\"col\">Action</th>"
        + "</tr></thead>\n<tbody>\n");
    for (ActiveSession s : list) {
      html.append("<tr><td>")
          .append(Html.escape(s.browser()))
          .append("</td><td>")
          .append(Html.escape(s.clientAddress().orElse("unknown")))
          .append("</td><td>")
          .append(TIME.format(s.created()))
          .append("</td><td>")
          .append(TIME.format(s.lastSeen()))
          .append("</td><td>");
      if (s.current()) {
        html.append("<strong>This session</strong>");
      } else {
        html.append("<form method=\"post\" action=\"")
            .append(END_SESSION_PATH)
            .append("\">")
            .append(Html.csrfField(req))
            .append("<input type=\"hidden\" name=\"session\" value=\"")
            .append(Html.escape(s.handle()))
            .append("\"><button type=\"submit\">End this session</button></form>");
      }
      html.append("</td></tr>\n");
    }
    return html.append("</tbody>\n</table>\n").toString();
  }
}
