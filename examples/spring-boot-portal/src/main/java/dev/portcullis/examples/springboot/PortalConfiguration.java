package dev.portcullis.examples.springboot;

import dev.portcullis.spring.PortcullisHttpConfigurer;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.DispatcherType;
import java.security.SecureRandom;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The portal's accounts and its Spring Security rules. Portcullis owns login, logout, sessions, cookies, CSRF and the
 * security headers, so Spring Security's own versions of these are switched off ({@link PortcullisHttpConfigurer});
 * Spring Security only authorizes, with the user the Portcullis bridge gives it.
 */
@Configuration(proxyBeanMethods = false)
class PortalConfiguration {
  /** The example's accounts; the passwords are in the README. A real portal adapts its user store instead. */
  @Bean
  UserDirectory portalUsers(SecureRandom random) {
    PasswordHasher hasher = PasswordHasher.standard(random);
    return new InMemoryUserDirectory(hasher)
        .add(
            "alice",
            "alice-demo-pw".toCharArray(),
            new PortalUser(
                "u-alice",
                "Alice Adams",
                "alice@riverside.example",
                Set.of("PROVIDER"),
                "riverside",
                true,
                ""))
        .add(
            "carol",
            "carol-demo-pw".toCharArray(),
            new PortalUser(
                "u-carol",
                "Carol Clark",
                "carol@council.example",
                Set.of("COUNCIL_OFFICER"),
                "council",
                true,
                ""));
  }

  @Bean
  SecurityFilterChain portal(HttpSecurity http) throws Exception {
    // The configurer switches off what Portcullis does itself (form login, HTTP Basic, logout,
    // CSRF, the request cache, session management, the servlet API integration and the security
    // headers), and sends visitors of protected pages to a relative 303 /login?returnTo=<the page>,
    // never built from the Host header.
    return http.with(PortcullisHttpConfigurer.portcullis(), portcullis -> {})
        .authorizeHttpRequests(auth -> auth.dispatcherTypeMatchers(DispatcherType.ERROR)
            .permitAll()
            .requestMatchers("/", "/login", "/terms", "/actuator/health")
            .permitAll()
            // The probe groups the public status names: a container's probe of a closed group
            // got a 303 to the login page, which probes count as success, so a portal whose
            // health was down still passed them.
            .requestMatchers("/actuator/health/liveness", "/actuator/health/readiness")
            .permitAll()
            // Besides @PreAuthorize on the page's handler: Spring MVC answers OPTIONS for a
            // @GetMapping itself, without calling the handler, so only a URL rule holds for it.
            .requestMatchers("/council")
            .hasRole("COUNCIL_OFFICER")
            .anyRequest()
            .authenticated())
        .build();
  }
}
