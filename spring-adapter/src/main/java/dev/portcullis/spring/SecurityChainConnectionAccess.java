package dev.portcullis.spring;

import dev.portcullis.servlet.ConnectionAccess;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.config.core.GrantedAuthorityDefaults;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.security.web.FilterInvocation;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.PathPatternRequestTransformer;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * Spring Security's filter chains asked again for an open WebSocket at each re-check: whether a {@code GET} of the
 * path it was opened on would be allowed now to its user, with the account as the re-check found it (its roles as
 * authorities under the role prefix of a {@code GrantedAuthorityDefaults} bean, {@code ROLE_} by default). The first
 * chain of Spring Security's {@link FilterChainProxy} that matches the path decides, through its
 * {@link AuthorizationFilter}'s rules, as for a request; a path no chain matches, or a chain without authorization
 * rules, is allowed, as its request would be.
 *
 * <p>The question is a request made of the context path, the path and the method alone, dispatched as a
 * {@link DispatcherType#REQUEST} (Spring Security's own {@code WebInvocationPrivilegeEvaluator} cannot answer for a
 * chain whose rules ask the dispatcher type, which the starter's default chain and most applications' do).
 *
 * <p><b>Security.</b> Fails closed: without Spring Security's filter chain bean, or when a rule reads what the question
 * does not have (headers, parameters, the client's address) and throws, the connection is closed, as a request the
 * chain could not judge would be refused. Method security on the endpoint's code ({@code @PreAuthorize}) is not asked
 * again.
 */
final class SecurityChainConnectionAccess implements ConnectionAccess {
  private final ListableBeanFactory beans;

  private SecurityChainConnectionAccess(ListableBeanFactory beans) {
    this.beans = beans;
  }

  /** Loaded only where Spring Security is on the class path. */
  static ConnectionAccess of(ListableBeanFactory beans) {
    return new SecurityChainConnectionAccess(beans);
  }

  @Override
  public boolean allows(String contextPath, String pathInContext, PortalPrincipal principal) {
    FilterChainProxy proxy = beans.getBeanProvider(FilterChainProxy.class).getIfUnique();
    if (proxy == null) {
      throw new IllegalStateException("no unique Spring Security FilterChainProxy to ask");
    }
    ServletContext servletContext = beans.getBeanProvider(ServletContext.class).getIfUnique();
    HttpServletRequest request = new GetRequest(new PathPatternRequestTransformer()
        .transform(new FilterInvocation(contextPath, pathInContext, "GET", servletContext)
            .getHttpRequest()));
    for (SecurityFilterChain chain : proxy.getFilterChains()) {
      if (chain.matches(request)) {
        return allowedBy(chain, request, principal);
      }
    }
    return true;
  }

  private boolean allowedBy(
      SecurityFilterChain chain, HttpServletRequest request, PortalPrincipal principal) {
    String rolePrefix = beans
        .getBeanProvider(GrantedAuthorityDefaults.class)
        .getIfAvailable(() -> new GrantedAuthorityDefaults("ROLE_"))
        .getRolePrefix();
    PortcullisAuthentication authentication = PortcullisAuthentication.of(principal, rolePrefix);
    for (Filter filter : chain.getFilters()) {
      if (filter instanceof AuthorizationFilter authorization) {
        AuthorizationResult result =
            authorization.getAuthorizationManager().authorize(() -> authentication, request);
        // As AuthorizationFilter: no answer is no refusal.
        return result == null || result.isGranted();
      }
    }
    return true;
  }

  /** The question's request, dispatched as a request from a client. */
  private static final class GetRequest extends HttpServletRequestWrapper {
    GetRequest(HttpServletRequest request) {
      super(request);
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }
  }
}
