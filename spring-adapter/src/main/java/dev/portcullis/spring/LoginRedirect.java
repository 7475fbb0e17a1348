package dev.portcullis.spring;

import dev.portcullis.login.SafeRedirect;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * Sends an anonymous visitor of a page Spring Security protects to the Portcullis login page, as the Portcullis filter
 * does when its own access policy asks for a login: {@code GET} and {@code HEAD} get a {@code 303} to the login page
 * with {@code returnTo=} the request's path and query as sent (relative to the context path, URL-encoded; left out
 * when it is no {@link SafeRedirect safe} target); other methods a {@code 401}, without a {@code WWW-Authenticate}
 * challenge. Either says {@code Cache-Control: no-store}.
 *
 * <p><b>Security.</b> The {@code Location} is a path on this site (the context path, the login path and the
 * parameter): nothing of the request's {@code Host} header, scheme or port goes into it, so a forged {@code Host}
 * cannot send the browser elsewhere, and behind a TLS-terminating proxy the browser stays on HTTPS. Spring Security's
 * {@code LoginUrlAuthenticationEntryPoint} builds an absolute URL from the request instead, unless told to favour
 * relative ones.
 */
final class LoginRedirect implements AuthenticationEntryPoint {
  private final String loginPath;

  /** @param loginPath the login page's path in the context, such as {@code /login} */
  LoginRedirect(String loginPath) {
    if (loginPath == null
        || !SafeRedirect.isSafe(loginPath)
        || loginPath.indexOf('?') >= 0
        || loginPath.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "the login path must be a path on this site without a query, such as /login: "
              + loginPath);
    }
    this.loginPath = loginPath;
  }

  @Override
  public void commence(
      HttpServletRequest request, HttpServletResponse response, AuthenticationException reason)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    // About this one request: no shared cache may keep it for others.
    response.setHeader("Cache-Control", "no-store");
    String method = request.getMethod();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      response.setContentType("text/plain;charset=utf-8");
      PrintWriter writer = response.getWriter();
      writer.println("Please log in first.");
      writer.flush();
      return;
    }
    String context = request.getContextPath() == null ? "" : request.getContextPath();
    String location = SafeRedirect.withReturnTo(context + loginPath, target(request, context));
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
    response.setHeader("Location", location);
    response.setContentLength(0);
    response.flushBuffer();
  }

  /** The still-encoded path after the context path, and the query; null if the URI does not start with the context. */
  private static String target(HttpServletRequest request, String context) {
    String uri = request.getRequestURI();
    if (uri == null || !uri.startsWith(context)) {
      return null;
    }
    String path = uri.substring(context.length());
    String query = request.getQueryString();
    return (path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
  }
}
