package dev.portcullis.examples.portal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;

/** {@code GET /portal.css}: the one stylesheet, from the class path. */
final class Stylesheet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    byte[] css;
    try (InputStream in = Stylesheet.class.getResourceAsStream("portal.css")) {
      if (in == null) {
        resp.setStatus(HttpServletResponse.SC_NOT_FOUND);
        return;
      }
      css = in.readAllBytes();
    }
    resp.setContentType("text/css;charset=utf-8");
    resp.setHeader("Cache-Control", "max-age=3600");
    resp.getOutputStream().write(css);
  }
}
