package dev.portcullis.examples.war;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * {@code GET /login}: the form. The Portcullis filter answers its {@code POST} (fields {@code username}, {@code
 * password}, {@code acceptTerms}, {@code _csrf}, {@code returnTo}); the application only renders the page.
 */
public final class LoginPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    // The parameters before the page starts: one that does not decode is an error page, not half a
    // form.
    boolean refused = request.getParameter("error") != null;
    String returnTo = request.getParameter("returnTo");
    PrintWriter out = Pages.html(response, "Log in");
    out.println("<h1>Log in</h1>");
    if (refused) {
      out.println(
          "<p role=\"alert\">The username or password is not right, or the account may not log in.</p>");
    }
    out.println("<form method=\"post\" action=\"" + request.getContextPath() + "/login\">"
        + Pages.csrfField(request)
        + (returnTo == null
            ? ""
            : "<input type=\"hidden\" name=\"returnTo\" value=\"" + Pages.escape(returnTo) + "\">")
        + "<label>Username <input name=\"username\" autocomplete=\"username\"></label>"
        + "<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>"
        + "<label><input type=\"checkbox\" name=\"acceptTerms\" value=\"yes\"> I accept the <a href=\""
        + request.getContextPath() + "/terms\">terms of use</a></label>"
        + "<button>Log in</button></form></body></html>");
  }
}
