package dev.portcullis.examples.portal;

import dev.portcullis.login.SafeRedirect;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /login}: the login form. The filter has already set the cookie-check cookie (in the ported profile, the
 * session cookie) and put the CSRF token on the request; it also handles the form's {@code POST /login} itself, so this
 * page only draws the form. It must not make a session: the form's token is bound to the cookie the filter set. With
 * single sign-on on, a second form posts to the filter's SSO login.
 */
final class LoginPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient PortalSso sso;

  LoginPage(PortalSso sso) {
    this.sso = sso;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StringBuilder b = new StringBuilder(2048);
    PortalPrincipal user = Html.principal(req);
    if (user != null) {
      b.append("<p>You are logged in as ")
          .append(Html.escape(user.user().displayName()))
          .append(
              ". <a href=\"/reports\">Go to your reports</a>, or log in as someone else below.</p>\n");
    }
    if ("1".equals(req.getParameter("error"))) {
      b.append(
          "<div class=\"error\" role=\"alert\"><h2>You could not be logged in</h2>\n<p>Check your username and"
              + " password, and tick the box to accept the terms of use. An account also needs a name, an email"
              + " address and a role before it can be used. If all of that is right, the portal may be busy:"
              + " try again in a few minutes.</p></div>\n");
    }
    b.append(
            "<p>This portal needs cookies to keep you logged in. See <a href=\"/privacy\">privacy and cookies</a>.")
        .append("</p>\n<form method=\"post\" action=\"/login\" class=\"login\">\n")
        .append(Html.csrfField(req))
        .append('\n');
    String returnTo = req.getParameter("returnTo");
    if (SafeRedirect.isSafe(returnTo)) {
      b.append("<input type=\"hidden\" name=\"returnTo\" value=\"")
          .append(Html.escape(returnTo))
          .append("\">\n");
    }
    b.append("<div class=\"field\"><label for=\"username\">Username</label>\n")
        .append(
            "<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required"
                + " spellcheck=\"false\" autocapitalize=\"none\"></div>\n")
        .append("<div class=\"field\"><label for=\"password\">Password</label>\n")
        .append(
            "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\""
                + " required></div>\n")
        .append(
            "<div class=\"check\"><input id=\"acceptTerms\" name=\"acceptTerms\" type=\"checkbox\" value=\"yes\">\n")
        .append(
            "<label for=\"acceptTerms\">I accept the <a href=\"/terms\">terms of use</a></label></div>\n")
        .append("<button type=\"submit\">Log in</button>\n</form>\n")
        .append(sso.loginForm(req))
        .append("<section aria-labelledby=\"demo-accounts\" class=\"aside\">\n")
        .append("<h2 id=\"demo-accounts\">Demonstration accounts</h2>\n")
        .append("<p>The password of each is its username followed by <code>-demo-pass</code>,")
        .append(" for example <code>alice-demo-pass</code>.</p>\n<ul>\n")
        .append("<li><code>alice</code>: Riverside Care, provider</li>\n")
        .append("<li><code>bob</code>: Hillview Homes, provider</li>\n")
        .append(
            "<li><code>carol</code>: Westmoor Council, council officer (sees every organisation)</li>\n")
        .append(
            "<li><code>dave</code>: has no email address, so the portal refuses him</li>\n</ul>\n</section>\n");
    Html.send(req, resp, HttpServletResponse.SC_OK, "Log in", b.toString());
  }
}
