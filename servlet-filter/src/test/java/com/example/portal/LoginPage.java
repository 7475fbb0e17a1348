package com.example.portal;

import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/** GET /login: the form Portcullis answers. context.addServlet(new ServletHolder(new LoginPage()), "/login") */
public final class LoginPage extends HttpServlet {
  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String csrf = (String) request.getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE);
    String returnTo =
        request.getParameter("returnTo"); // set by Portcullis when it sent the visitor here
    response.setContentType("text/html;charset=utf-8");
    PrintWriter page = response.getWriter();
    page.println("<!doctype html><html lang=en><title>Log in</title><h1>Log in</h1>");
    if (request.getParameter("error") != null) { // one message for every refusal
      page.println(
          "<p role=alert>That did not work. Check your name and password, and accept the terms.</p>");
    }
    page.println("<form method=post action=\"" + request.getContextPath() + "/login\">");
    page.println("<input type=hidden name=_csrf value=\"" + html(csrf) + "\">");
    if (returnTo != null) {
      page.println("<input type=hidden name=returnTo value=\"" + html(returnTo) + "\">");
    }
    page.println("<label>User name <input name=username autocomplete=username required></label>");
    page.println(
        "<label>Password <input name=password type=password autocomplete=current-password required>"
            + "</label>");
    page.println("<label><input name=acceptTerms type=checkbox value=yes> I accept the <a href=\""
        + request.getContextPath() + "/terms\">terms of use</a></label>");
    page.println("<button>Log in</button></form></html>");
  }

  private static String html(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
