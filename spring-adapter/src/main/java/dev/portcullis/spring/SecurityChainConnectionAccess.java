package dev.portcullis.spring;

import dev.portcullis.servlet.ConnectionAccess;
import dev.portcullis.servlet.ConnectionRequest;
import dev.portcullis.servlet.PortalPrincipal;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>The question is a {@code GET} of the opening request's path and query, dispatched as a
 * {@link DispatcherType#REQUEST} (Spring Security's own {@code WebInvocationPrivilegeEvaluator} cannot answer for a
 * chain whose rules ask the dispatcher type, which the starter's default chain and most applications' do), that
 * answers for its headers (but the credentials, see {@link ConnectionRequest}), query parameters, client address,
 * scheme and host what the opening request answered: a rule that reads them judges the request that opened the
 * connection.
 *
 * <p><b>Security.</b> Fails closed: without Spring Security's filter chain bean, or when a rule reads what the question
 * does not have (a cookie, a request attribute, the body) and throws, the connection is closed, as a request the chain
 * could not judge would be refused. Method security on the endpoint's code ({@code @PreAuthorize}) is not asked
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
  public boolean allows(ConnectionRequest opening, PortalPrincipal principal) {
    FilterChainProxy proxy = beans.getBeanProvider(FilterChainProxy.class).getIfUnique();
    if (proxy == null) {
      throw new IllegalStateException("no unique Spring Security FilterChainProxy to ask");
    }
    ServletContext servletContext = beans.getBeanProvider(ServletContext.class).getIfUnique();
    HttpServletRequest request = new OpeningRequest(
        new PathPatternRequestTransformer()
            .transform(new FilterInvocation(
                    opening.contextPath(),
                    opening.pathInContext(),
                    null,
                    opening.queryString(),
                    "GET",
                    servletContext)
                .getHttpRequest()),
        opening);
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

  /**
   * The question's request: a {@code GET} of the opening request's path and query, dispatched as a request from a
   * client, answering for its headers, parameters, client address, scheme and host what the opening request answered.
   */
  private static final class OpeningRequest extends HttpServletRequestWrapper {
    private final ConnectionRequest opening;
    private Map<String, String[]> parameters;

    OpeningRequest(HttpServletRequest request, ConnectionRequest opening) {
      super(request);
      this.opening = opening;
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }

    @Override
    public String getHeader(String name) {
      return opening.header(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return Collections.enumeration(opening.headers(name));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      return Collections.enumeration(opening.headerNames());
    }

    @Override
    public int getIntHeader(String name) {
      String value = getHeader(name);
      return value == null ? -1 : Integer.parseInt(value);
    }

    @Override
    public String getParameter(String name) {
      String[] values = getParameterMap().get(name);
      return values == null ? null : values[0];
    }

    @Override
    public String[] getParameterValues(String name) {
      String[] values = getParameterMap().get(name);
      return values == null ? null : values.clone();
    }

    @Override
    public Enumeration<String> getParameterNames() {
      return Collections.enumeration(getParameterMap().keySet());
    }

    @Override
    public Map<String, String[]> getParameterMap() {
      if (parameters == null) {
        parameters = parse(opening.queryString());
      }
      return parameters;
    }

    @Override
    public String getRemoteAddr() {
      return opening.remoteAddr();
    }

    @Override
    public String getRemoteHost() {
      return opening.remoteAddr();
    }

    @Override
    public String getScheme() {
      return opening.scheme();
    }

    @Override
    public boolean isSecure() {
      return opening.isSecure();
    }

    @Override
    public String getServerName() {
      return opening.serverName();
    }

    @Override
    public int getServerPort() {
      return opening.serverPort();
    }

    /** The query's parameters, as a container decodes them (UTF-8); a malformed one throws, and closes the socket. */
    private static Map<String, String[]> parse(String query) {
      Map<String, List<String>> found = new LinkedHashMap<>();
      if (query != null && !query.isEmpty()) {
        for (String pair : query.split("&", -1)) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          String name =
              URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          String value =
              eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          found.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
      }
      Map<String, String[]> parameters = new LinkedHashMap<>();
      found.forEach((name, values) -> parameters.put(name, values.toArray(new String[0])));
      return Collections.unmodifiableMap(parameters);
    }
  }
}
