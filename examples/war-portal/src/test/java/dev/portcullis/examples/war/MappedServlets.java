package dev.portcullis.examples.war;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * Servlets a deployment maps beside the WAR's pages, by extension ({@code *.do}, {@link #ACTIONS}) and by prefix
 * ({@code /x/*}, {@link #FILES}), and the spellings of their paths that a container maps to them while they name
 * another path, or none, as sent.
 */
final class MappedServlets {
  static final String ACTIONS = "*.do";
  static final String FILES = "/x/*";

  /**
   * Paths the containers map to {@link #ACTIONS} or {@link #FILES} (or would, read another way): path parameters
   * such as {@code ;jsessionid=}, dot segments plain, encoded or behind a path parameter, encoded slashes, a public
   * page's path in front, suffixes on a public page.
   */
  static final List<String> SPELLINGS = List.of(
      "/reports/7.do",
      "/x/report",
      "/reports/7.do;jsessionid=abc",
      "/reports;jsessionid=abc/7.do",
      "/x;jsessionid=abc/report",
      "/x/report;jsessionid=abc",
      "/x/report%3bjsessionid=abc",
      "/login.do",
      "/login;x=y.do",
      "/login%3b.do",
      "/login/.do",
      "/login/x.do",
      "/terms.do",
      "/error.do",
      "/error/x.do",
      "/reports/7%2edo",
      "/login/../x/report",
      "/login/..;/x/report",
      "/login;jsessionid=abc/../x/report",
      "/login/%2e%2e/x/report",
      "/login/%2e%2e/reports/7.do",
      "/login/.%2e/x/report",
      "/login%2f..%2fx/report",
      "/login/..%2fx/report",
      "/login/%2e%2e%2fx%2freport",
      "/%78/report",
      "/x//report",
      "//x/report",
      "/x/./report",
      "/./x/report",
      "/x/report/",
      "/x/report.",
      "/x/report%20",
      "/x/report%00");

  private MappedServlets() {}

  /** A page of the deployment's own that names what it serves. */
  static final class ProtectedPage extends HttpServlet {
    private final String kind;

    ProtectedPage(String kind) {
      this.kind = kind;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType("text/plain;charset=utf-8");
      response
          .getWriter()
          .print("protected " + kind + " "
              + (request.getPathInfo() == null ? request.getServletPath() : request.getPathInfo()));
    }
  }
}
