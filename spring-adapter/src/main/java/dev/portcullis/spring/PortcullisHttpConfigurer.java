package dev.portcullis.spring;

import dev.portcullis.login.PortalLogin;
import java.util.Objects;
import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * Makes an application's own {@code SecurityFilterChain} work with Portcullis, which owns login, logout, sessions,
 * cookies, CSRF and the security headers: it switches off Spring Security's form login, HTTP Basic, logout, CSRF,
 * request cache, session management, servlet API wrapping and header writing, and sends anonymous visitors of protected
 * pages to the Portcullis login page ({@link #loginEntryPoint(String)}: a relative redirect that carries the page as
 * {@code returnTo}, as the Portcullis filter's own). Which pages need what stays with the application:
 *
 * <pre>{@code
 * @Bean
 * SecurityFilterChain portal(HttpSecurity http) throws Exception {
 *   return http
 *       .with(PortcullisHttpConfigurer.portcullis(), portcullis -> { })
 *       .authorizeHttpRequests(auth -> auth
 *           .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
 *           .requestMatchers("/login", "/terms", "/").permitAll()
 *           .requestMatchers("/council/**").hasRole("COUNCIL_OFFICER")
 *           .anyRequest().authenticated())
 *       .build();
 * }
 * }</pre>
 *
 * The login page is the {@link PortalLogin} bean's unless {@link #loginPath(String)} names another.
 *
 * <p><b>Security.</b> Adds no login, session or cookie logic: it removes Spring Security's own, which would collide
 * with Portcullis's or duplicate it (a second CSRF token, a second session-fixation step after Portcullis's own at
 * login, a Java-serialized saved request in the session). It grants nothing: the application's rules decide access.
 */
public final class PortcullisHttpConfigurer
    extends AbstractHttpConfigurer<PortcullisHttpConfigurer, HttpSecurity> {
  private String loginPath;

  private PortcullisHttpConfigurer() {}

  /** A new configurer, for {@code http.with(portcullis(), customizer)}. */
  public static PortcullisHttpConfigurer portcullis() {
    return new PortcullisHttpConfigurer();
  }

  /**
   * Sends anonymous visitors of protected pages to the login page at {@code loginPath} (in the context, such as
   * {@code /login}), as the Portcullis filter does when its access policy asks for a login: {@code GET} and
   * {@code HEAD} get a {@code 303} to {@code loginPath?returnTo=<the page's path and query, URL-encoded>}, other
   * methods a {@code 401}. For a {@code SecurityFilterChain} written without this configurer:
   * {@code .exceptionHandling(e -> e.authenticationEntryPoint(PortcullisHttpConfigurer.loginEntryPoint("/login")))}.
   *
   * <p><b>Security.</b> The {@code Location} is relative: the request's {@code Host} header, scheme and port never go
   * into it, so a forged {@code Host} cannot redirect the browser elsewhere, and behind a TLS-terminating proxy the
   * browser is not sent to plain HTTP. Spring Security's {@code new LoginUrlAuthenticationEntryPoint(path)} builds an
   * absolute URL from the request instead.
   *
   * @throws IllegalArgumentException if {@code loginPath} is not a path on this site without a query
   */
  public static AuthenticationEntryPoint loginEntryPoint(String loginPath) {
    return new LoginRedirect(Objects.requireNonNull(loginPath, "loginPath"));
  }

  /** Where anonymous visitors of protected pages are sent; default: the {@link PortalLogin} bean's login path. */
  public PortcullisHttpConfigurer loginPath(String path) {
    this.loginPath = Objects.requireNonNull(path, "path");
    return this;
  }

  @Override
  public void init(HttpSecurity http) {
    http.csrf(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(AbstractHttpConfigurer::disable)
        .servletApi(AbstractHttpConfigurer::disable)
        .headers(AbstractHttpConfigurer::disable)
        .exceptionHandling(e -> e.authenticationEntryPoint(loginEntryPoint(loginPath(http))));
  }

  private String loginPath(HttpSecurity http) {
    if (loginPath != null) {
      return loginPath;
    }
    ApplicationContext context = http.getSharedObject(ApplicationContext.class);
    PortalLogin login =
        context == null ? null : context.getBeanProvider(PortalLogin.class).getIfAvailable();
    return login == null ? "/login" : login.endpoints().loginPath();
  }
}
