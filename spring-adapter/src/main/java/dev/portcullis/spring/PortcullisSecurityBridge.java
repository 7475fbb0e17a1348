package dev.portcullis.spring;

import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * Runs after the Portcullis filter and before Spring Security's: when the request has a {@link PortalPrincipal}, it
 * puts a {@link PortcullisAuthentication} in the {@link SecurityContextHolderStrategy} for the request, and in the
 * request attribute that Spring Security's default {@link RequestAttributeSecurityContextRepository} reads, so Spring
 * Security's own filters load it (on the error dispatch too). The context is cleared when the request leaves.
 *
 * <p><b>Security.</b> A bridge only: it decides nothing. It never logs anyone in or out and keeps nothing in the
 * session; an anonymous request passes untouched.
 */
final class PortcullisSecurityBridge implements Filter {
  private final SecurityContextHolderStrategy contexts;
  private final String rolePrefix;
  private final SecurityContextRepository requestContexts =
      new RequestAttributeSecurityContextRepository();

  PortcullisSecurityBridge(SecurityContextHolderStrategy contexts, String rolePrefix) {
    this.contexts = Objects.requireNonNull(contexts, "contexts");
    this.rolePrefix = Objects.requireNonNull(rolePrefix, "rolePrefix");
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http)
        || !(response instanceof HttpServletResponse httpResponse)
        || !(http.getUserPrincipal() instanceof PortalPrincipal principal)) {
      chain.doFilter(request, response);
      return;
    }
    SecurityContext context = contexts.createEmptyContext();
    context.setAuthentication(PortcullisAuthentication.of(principal, rolePrefix));
    contexts.setContext(context);
    requestContexts.saveContext(context, http, httpResponse);
    try {
      chain.doFilter(request, response);
    } finally {
      contexts.clearContext();
    }
  }
}
