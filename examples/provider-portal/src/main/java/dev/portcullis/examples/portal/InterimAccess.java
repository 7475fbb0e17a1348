package dev.portcullis.examples.portal;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * Stands in for the filter's access stage until it is merged: applies the portal's {@link AccessPolicy} (the same
 * object the stage will take) after {@code PortcullisFilter}. Anonymous requests for a protected page go to the
 * login page with a {@code returnTo}; a missing role is 403; an ambiguous path is 400.
 *
 * <p>To be deleted once {@code PortcullisFilter.Builder.access(policy, "/login")} exists; see the README.
 */
final class InterimAccess implements Filter {
  private final AccessPolicy policy;
  private final String loginPath;

  InterimAccess(AccessPolicy policy, String loginPath) {
    this.policy = policy;
    this.loginPath = loginPath;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest req = (HttpServletRequest) request;
    HttpServletResponse resp = (HttpServletResponse) response;
    String path = req.getRequestURI().substring(req.getContextPath().length());
    Optional<Set<String>> roles = req.getUserPrincipal() instanceof PortalPrincipal p
        ? Optional.of(p.user().roles()) : Optional.empty();
    switch (policy.decide(path, roles)) {
      case ALLOW -> chain.doFilter(request, response);
      case LOGIN_REQUIRED -> {
        String method = req.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
          plain(resp, HttpServletResponse.SC_UNAUTHORIZED, "Log in first.");
          return;
        }
        String target = req.getQueryString() == null ? path : path + "?" + req.getQueryString();
        String location = req.getContextPath() + loginPath;
        if (PortalLogin.isSafeRedirect(target)) {
          location += "?returnTo=" + URLEncoder.encode(target, StandardCharsets.UTF_8);
        }
        resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
        resp.setHeader("Location", location);
        resp.setContentLength(0);
      }
      case FORBIDDEN -> plain(resp, HttpServletResponse.SC_FORBIDDEN, "You do not have access to this page.");
      case BAD_PATH -> plain(resp, HttpServletResponse.SC_BAD_REQUEST, "Bad request.");
      default -> throw new IllegalStateException("unknown access decision");
    }
  }

  private static void plain(HttpServletResponse resp, int status, String text) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/plain;charset=utf-8");
    resp.getWriter().println(text);
  }
}
