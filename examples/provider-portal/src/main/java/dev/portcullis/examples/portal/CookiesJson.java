package dev.portcullis.examples.portal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /cookies.json}: the cookie declarations as JSON, the same list as the privacy page's table. */
final class CookiesJson extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient CookieNotice notice;

  CookiesJson(CookieNotice notice) {
    this.notice = notice;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("application/json;charset=utf-8");
    resp.getWriter().write(notice.json());
  }
}
