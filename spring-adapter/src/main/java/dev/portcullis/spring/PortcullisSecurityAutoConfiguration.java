package dev.portcullis.spring;

import dev.portcullis.login.LoginEndpoints;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.web.servlet.ConditionalOnDefaultWebSecurity;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.core.GrantedAuthorityDefaults;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.util.ClassUtils;

/**
 * The Spring Security bridge, active when Spring Security is on the class path: after the Portcullis filter, a filter
 * puts the Portcullis user in Spring Security's context for the request, so that {@code hasRole('COUNCIL_OFFICER')},
 * {@code @PreAuthorize} (with {@code @EnableMethodSecurity}) and {@code @AuthenticationPrincipal PortalPrincipal}
 * work. Portal roles become authorities {@code ROLE_<role>} (or the prefix of a {@code GrantedAuthorityDefaults} bean).
 *
 * <p>Portcullis owns login, logout, sessions, cookies and CSRF. The application's {@code SecurityFilterChain} must
 * therefore not enable Spring Security's own for the same paths, and must leave request attributes among the places
 * it loads the security context from (Spring Security's default does). {@link PortcullisHttpConfigurer} switches them
 * off in one call; written out, that is:
 *
 * <pre>{@code
 * @Bean
 * SecurityFilterChain portal(HttpSecurity http) throws Exception {
 *   return http
 *       .csrf(csrf -> csrf.disable())              // Portcullis checks the _csrf field / X-CSRF-Token header
 *       .formLogin(form -> form.disable())         // Portcullis answers POST /login
 *       .httpBasic(basic -> basic.disable())
 *       .logout(logout -> logout.disable())        // Portcullis answers POST /logout
 *       .requestCache(cache -> cache.disable())    // it would store a Java-serialized request in the session
 *       .sessionManagement(s -> s.disable())       // Portcullis moves the session to a new id at every login;
 *                                                  // a second session-fixation step is not needed
 *       .servletApi(api -> api.disable())          // keep request.getUserPrincipal() the PortalPrincipal
 *       .headers(headers -> headers.disable())     // Portcullis's transport stage writes HSTS, nosniff, framing
 *       .exceptionHandling(e -> e.authenticationEntryPoint(
 *           PortcullisHttpConfigurer.loginEntryPoint("/login"))) // a relative 303 to /login?returnTo=...; not
 *                                                  // LoginUrlAuthenticationEntryPoint: its URL takes the Host header
 *       .authorizeHttpRequests(auth -> auth
 *           .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
 *           .requestMatchers("/login", "/terms", "/").permitAll()
 *           .requestMatchers("/council/**").hasRole("COUNCIL_OFFICER")
 *           .anyRequest().authenticated())
 *       .build();
 * }
 * }</pre>
 *
 * When the application declares no {@code SecurityFilterChain}, this configuration declares one like it in place of
 * Spring Boot's default (whose form login, HTTP Basic and CSRF would collide with Portcullis): everything needs a
 * logged-in user except the Portcullis endpoints, error pages and, with the actuator, the health endpoint and its
 * probe groups ({@code portcullis.security.public-health-probes}, on by default); anonymous visitors are sent to the
 * login page ({@link PortcullisHttpConfigurer#loginEntryPoint}). Spring Boot's own default chain, which it would
 * otherwise put in place (with the actuator, the one that keeps health public), does not exist then, so this chain
 * keeps the probes reachable itself.
 *
 * <p>Portcullis logins are published as Spring Security authentication events ({@link AuthenticationEvents}), which
 * Spring Boot's audit listener records in the application's {@code AuditEventRepository} when it has one.
 *
 * <p>Spring Boot's {@code UserDetailsServiceAutoConfiguration} would create an in-memory user {@code user} with a
 * generated password, printed to the console: a second user store beside Portcullis's, and a credential in the logs.
 * In its place, and under the same conditions, this configuration declares a {@code UserDetailsService} that knows no
 * users. An application's own {@code UserDetailsService}, {@code AuthenticationManager}, {@code AuthenticationProvider}
 * or {@code AuthenticationManagerResolver} bean, or {@code spring.security.user.name} or {@code .password}, makes it
 * back off, as they do Spring Boot's.
 *
 * <p><b>Security.</b> A bridge only: no login, session or cookie logic of its own. The bridge's filter order is the
 * Portcullis filter's plus one, and start-up fails if that is not before Spring Security's filter chain.
 */
@AutoConfiguration(
    after = PortcullisAutoConfiguration.class,
    beforeName = {
      "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
      PortcullisSecurityAutoConfiguration.NoUsers.BOOT_USERS
    })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({
  SecurityContextHolder.class,
  RequestAttributeSecurityContextRepository.class,
  PortcullisFilter.class
})
@ConditionalOnBean(PortcullisFilter.class)
public final class PortcullisSecurityAutoConfiguration {
  /** Spring Boot's default order for Spring Security's filter chain. */
  private static final int SPRING_SECURITY_ORDER = -100;

  PortcullisSecurityAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "portcullisSecurityBridgeRegistration")
  FilterRegistrationBean<PortcullisSecurityBridge> portcullisSecurityBridgeRegistration(
      PortcullisProperties properties,
      Environment environment,
      ObjectProvider<SecurityContextHolderStrategy> strategy,
      ObjectProvider<GrantedAuthorityDefaults> defaults) {
    int order = properties.getFilter().getOrder() + 1;
    int securityOrder = environment.getProperty(
        "spring.security.filter.order", Integer.class, SPRING_SECURITY_ORDER);
    if (order >= securityOrder) {
      throw new PortcullisConfigurationException(
          "portcullis.filter.order (" + properties.getFilter().getOrder()
              + ") does not leave room before Spring Security's filter chain (" + securityOrder
              + ")",
          "Set portcullis.filter.order below " + (securityOrder - 1) + "; the default is "
              + PortcullisAutoConfiguration.FILTER_ORDER + ".");
    }
    String prefix =
        defaults.getIfAvailable(() -> new GrantedAuthorityDefaults("ROLE_")).getRolePrefix();
    PortcullisSecurityBridge bridge = new PortcullisSecurityBridge(
        strategy.getIfAvailable(SecurityContextHolder::getContextHolderStrategy), prefix);
    FilterRegistrationBean<PortcullisSecurityBridge> registration =
        new FilterRegistrationBean<>(bridge);
    registration.setName("portcullisSecurityBridge");
    registration.setOrder(order);
    registration.setDispatcherTypes(
        DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    return registration;
  }

  /** Portcullis logins as Spring Security authentication events ({@link AuthenticationEvents}). */
  @Bean
  @ConditionalOnMissingBean(name = "portcullisAuthenticationEvents")
  AuditSinkContribution portcullisAuthenticationEvents(ApplicationEventPublisher publisher) {
    AuthenticationEvents events = new AuthenticationEvents(publisher);
    return () -> events;
  }

  /** Replaces Spring Boot's default chain, which would bring its own login, session and CSRF handling. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HttpSecurity.class)
  @ConditionalOnDefaultWebSecurity
  static class DefaultChain {
    /** Spring Boot's matcher of actuator endpoints (spring-boot-security), and the actuator it needs. */
    private static final String ENDPOINT_REQUEST =
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest";

    private static final String PATH_MAPPED_ENDPOINTS =
        "org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints";

    @Bean
    SecurityFilterChain portcullisSecurityFilterChain(
        HttpSecurity http,
        PortalLogin login,
        PortcullisProperties properties,
        ResourceLoader resources)
        throws Exception {
      LoginEndpoints paths = login.endpoints();
      Set<String> open = Set.of(
          paths.loginPath(), paths.logoutPath(), paths.logoutEverywherePath(), paths.termsPath());
      RequestMatcher portcullis = request -> open.contains(path(request));
      ClassLoader loader = resources.getClassLoader();
      RequestMatcher endpoints = properties.getSecurity().isPublicHealthProbes()
              && ClassUtils.isPresent(ENDPOINT_REQUEST, loader)
              && ClassUtils.isPresent(PATH_MAPPED_ENDPOINTS, loader)
          ? new OrRequestMatcher(portcullis, HealthProbes.matcher())
          : portcullis;
      return http.with(
              PortcullisHttpConfigurer.portcullis(),
              configurer -> configurer.loginPath(paths.loginPath()))
          .authorizeHttpRequests(auth -> auth.dispatcherTypeMatchers(DispatcherType.ERROR)
              .permitAll()
              .requestMatchers(endpoints)
              .permitAll()
              .anyRequest()
              .authenticated())
          .build();
    }

    private static String path(HttpServletRequest request) {
      String uri = request.getRequestURI();
      String context = request.getContextPath();
      return context != null && !context.isEmpty() && uri.startsWith(context)
          ? uri.substring(context.length())
          : uri;
    }
  }

  /**
   * A {@code UserDetailsService} that knows no users, declared exactly when Spring Boot's {@code
   * UserDetailsServiceAutoConfiguration} would declare its in-memory user with a generated password (which it prints),
   * so that it does not: Spring Boot's conditions, except that {@code spring.security.user.name} or {@code .password}
   * leaves the user they configure to Spring Boot.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = NoUsers.BOOT_USERS)
  @ConditionalOnMissingClass({
    "org.springframework.security.oauth2.client.registration.ClientRegistrationRepository",
    "org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector",
    "org.springframework.security.saml2.provider.service.registration.RelyingPartyRegistrationRepository"
  })
  @Conditional(NoUsers.NoUserProperties.class)
  static class NoUsers {
    static final String BOOT_USERS =
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration";

    @Bean
    @ConditionalOnMissingBean(
        value = {
          AuthenticationManager.class,
          AuthenticationProvider.class,
          UserDetailsService.class,
          AuthenticationManagerResolver.class
        },
        type = "org.springframework.security.oauth2.jwt.JwtDecoder")
    UserDetailsService portcullisNoUserDetailsService() {
      return username -> {
        throw new UsernameNotFoundException(
            "Portcullis logs users in; Spring Security's user store is empty");
      };
    }

    /** Neither {@code spring.security.user.name} nor {@code spring.security.user.password} is set. */
    static final class NoUserProperties extends NoneNestedConditions {
      NoUserProperties() {
        super(ConfigurationPhase.PARSE_CONFIGURATION);
      }

      @ConditionalOnProperty("spring.security.user.name")
      static final class Name {}

      @ConditionalOnProperty("spring.security.user.password")
      static final class Password {}
    }
  }

  /** The health endpoint and its groups, on the actuator's paths; loaded only when the actuator is present. */
  static final class HealthProbes {
    private static final String HEALTH_ENDPOINT = "health";

    private HealthProbes() {}

    static RequestMatcher matcher() {
      return new OrRequestMatcher(
          EndpointRequest.to(HEALTH_ENDPOINT),
          EndpointRequest.toAdditionalPaths(WebServerNamespace.SERVER, HEALTH_ENDPOINT));
    }
  }
}
