package dev.portcullis.examples.portal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Every path no other page takes: 404, without echoing the path. */
final class NotFoundPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Html.send(
        req,
        resp,
        HttpServletResponse.SC_NOT_FOUND,
        "Page not found",
        "<p>There is no page at this address. <a href=\"/\">Go to the start page</a>.</p>");
  }
}
