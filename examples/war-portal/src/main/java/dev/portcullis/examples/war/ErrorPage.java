package dev.portcullis.examples.war;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The application's one error page ({@code <error-page>} in {@code web.xml}, for every status and exception): a fixed
 * sentence and the status. Without it the container draws its own page, and a web application's on Jetty, like
 * Tomcat's report of an exception, prints the exception's stack trace; an exception such as the one a malformed query
 * string raises in {@code getParameter} would reach the client with it. The container logs the exception.
 */
public final class ErrorPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer c && c >= 400 ? c : HttpServletResponse.SC_NOT_FOUND;
    response.setStatus(status);
    response.setContentType("text/plain;charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    response
        .getWriter()
        .println(status < 500 ? "The request could not be handled." : "Something went wrong.");
  }
}
