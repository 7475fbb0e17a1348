package dev.portcullis.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/** The application under test: each path does one thing with the session and writes a short answer. */
final class PortalServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final int LARGE_BODY = 256 * 1024;

  final transient CyclicBarrier parallel = new CyclicBarrier(2);

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String op = req.getPathInfo() == null ? "/" : req.getPathInfo();
    String name = req.getParameter("name");
    String value = req.getParameter("value");
    resp.setContentType("text/plain;charset=utf-8");
    switch (op) {
      case "/set" -> {
        req.getSession().setAttribute(name, value);
        resp.getWriter().write("ok");
      }
      case "/get" -> {
        HttpSession session = req.getSession(false);
        resp.getWriter()
            .write(session == null ? "no session" : String.valueOf(session.getAttribute(name)));
      }
      case "/peek" ->
        resp.getWriter().write(req.getSession(false) == null ? "no session" : "session");
      case "/set-then-reset" -> {
        req.getSession().setAttribute(name, value);
        resp.setHeader("X-Before-Reset", "1");
        resp.reset();
        resp.setContentType("text/plain;charset=utf-8");
        resp.getWriter().write("after reset");
      }
      case "/rotate" -> {
        req.getSession().setAttribute("rotated", "yes");
        resp.getWriter().write(req.changeSessionId());
      }
      case "/invalidate" -> {
        req.getSession().invalidate();
        resp.getWriter().write("bye");
      }
      case "/redirect" -> {
        req.getSession().setAttribute("via", "redirect");
        resp.sendRedirect("/app/get?name=via");
      }
      case "/error" -> {
        req.getSession().setAttribute("via", "error");
        resp.sendError(HttpServletResponse.SC_FORBIDDEN);
      }
      case "/large-writer" -> {
        req.getSession().setAttribute("via", "large-writer");
        resp.getWriter().write("x".repeat(LARGE_BODY));
      }
      case "/large-stream" -> {
        req.getSession().setAttribute("via", "large-stream");
        OutputStream out = resp.getOutputStream();
        byte[] chunk = new byte[1000];
        for (int written = 0; written < LARGE_BODY; written += chunk.length) {
          out.write(chunk, 0, Math.min(chunk.length, LARGE_BODY - written));
        }
      }
      case "/content-length" -> {
        req.getSession().setAttribute("via", "content-length");
        resp.setContentLength(2);
        resp.getOutputStream().write(new byte[] {'o', 'k'});
        // The container commits when the declared length is reached; the cookie went out before.
      }
      case "/flush-then-set" -> {
        req.getSession().setAttribute("early", "yes");
        resp.flushBuffer();
        req.getSession().setAttribute("late", "yes");
        resp.getWriter().write("ok");
      }
      case "/new-after-commit" -> {
        resp.flushBuffer();
        try {
          req.getSession();
          resp.getWriter().write("created");
        } catch (IllegalStateException e) {
          resp.getWriter().write("refused");
        }
      }
      case "/async" -> {
        AsyncContext async = req.startAsync();
        async.start(() -> {
          try {
            HttpServletRequest r = (HttpServletRequest) async.getRequest();
            r.getSession().setAttribute("via", "async");
            async.getResponse().getWriter().write("async ok");
          } catch (IOException e) {
            throw new IllegalStateException(e);
          } finally {
            async.complete();
          }
        });
      }
      case "/parallel" -> {
        HttpSession session = req.getSession(false);
        session.getAttribute("anything");
        try {
          // Both requests have loaded the session before either saves.
          parallel.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        session.setAttribute(name, value);
        resp.getWriter().write("ok");
      }
      case "/bad-value" -> {
        try {
          req.getSession().setAttribute("thing", new StringBuilder("x"));
          resp.getWriter().write("accepted");
        } catch (IllegalArgumentException e) {
          resp.getWriter().write("refused");
        }
      }
      default -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }
}
