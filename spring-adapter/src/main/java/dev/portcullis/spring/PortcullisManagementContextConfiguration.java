package dev.portcullis.spring;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.HierarchicalBeanFactory;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * The actuator on a port of its own ({@code management.server.port}): Spring Boot serves it from a child context with
 * a servlet container of its own, and registers there Spring Security's filter chain from the application's context
 * but no other filter of it. This configuration, which Spring Boot applies to that child context only, registers the
 * application's Portcullis filter there as well, and with Spring Security the bridge that gives the chain the
 * Portcullis user, each as the application's context registers it (order, URL patterns, dispatcher types).
 *
 * <p><b>Security.</b> Without it, the actuator's port answered every request without the transport checks, the
 * security headers and, where {@code portcullis.access.*} decides, the access rules: an {@code /actuator/**} rule for
 * administrators held on the application's port only. Requests to the actuator's port now pass the same filter, with
 * the same login, rules and transport: a probe over plain HTTP that comes neither through a trusted proxy nor in
 * development mode is redirected or refused there too. The filter stays the application context's: the child
 * container neither puts it in service nor takes it out, so stopping the actuator's server closes nothing.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class PortcullisManagementContextConfiguration {
  /** The application context's registration of the Portcullis filter ({@link PortcullisAutoConfiguration}). */
  static final String FILTER_REGISTRATION = "portcullisFilterRegistration";

  /** The application context's registration of the bridge ({@link PortcullisSecurityAutoConfiguration}). */
  static final String BRIDGE_REGISTRATION = "portcullisSecurityBridgeRegistration";

  PortcullisManagementContextConfiguration() {}

  @Bean
  @ConditionalOnBean(name = FILTER_REGISTRATION, search = SearchStrategy.ANCESTORS)
  FilterRegistrationBean<Filter> portcullisManagementFilterRegistration(
      HierarchicalBeanFactory beanFactory) {
    return inThisContext(beanFactory, FILTER_REGISTRATION);
  }

  @Bean
  @ConditionalOnBean(name = BRIDGE_REGISTRATION, search = SearchStrategy.ANCESTORS)
  FilterRegistrationBean<Filter> portcullisManagementSecurityBridgeRegistration(
      HierarchicalBeanFactory beanFactory) {
    return inThisContext(beanFactory, BRIDGE_REGISTRATION);
  }

  /** A registration in the child context of the filter that the application context registers as {@code name}. */
  private static FilterRegistrationBean<Filter> inThisContext(
      HierarchicalBeanFactory beanFactory, String name) {
    BeanFactory parent = beanFactory.getParentBeanFactory();
    if (parent == null) {
      throw new IllegalStateException(
          "the actuator's child context has no parent context holding " + name);
    }
    FilterRegistrationBean<?> application = parent.getBean(name, FilterRegistrationBean.class);
    FilterRegistrationBean<Filter> registration =
        new FilterRegistrationBean<>(new Borrowed(application.getFilter()));
    registration.setName(application.getFilterName());
    registration.setOrder(application.getOrder());
    registration.setEnabled(application.isEnabled());
    registration.setUrlPatterns(application.getUrlPatterns());
    registration.setDispatcherTypes(application.determineDispatcherTypes());
    registration.setAsyncSupported(application.isAsyncSupported());
    return registration;
  }

  /**
   * A filter of the application's context in the actuator's container: it handles requests and nothing else, since its
   * own container puts it in service and closes it ({@code destroy} ends the Portcullis pipeline).
   */
  private static final class Borrowed implements Filter {
    private final Filter filter;

    Borrowed(Filter filter) {
      this.filter = Objects.requireNonNull(filter, "filter");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      filter.doFilter(request, response, chain);
    }
  }
}
