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
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The portal's accounts and its Spring Security rules. Portcullis owns login, logout, sessions, cookies and CSRF, so
 * Spring Security's own versions of these are switched off; Spring Security only authorizes, with the user the
 * Portcullis bridge gives it.
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
    return http.csrf(
            AbstractHttpConfigurer::disable) // Portcullis checks the _csrf field on every POST
        .formLogin(AbstractHttpConfigurer::disable) // Portcullis answers POST /login
        .httpBasic(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable) // Portcullis answers POST /logout
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(
            AbstractHttpConfigurer::disable) // it would rename the Portcullis session
        .servletApi(
            AbstractHttpConfigurer::disable) // request.getUserPrincipal() stays the PortalPrincipal
        // A relative 303 to /login?returnTo=<the page>, never built from the Host header.
        .exceptionHandling(
            e -> e.authenticationEntryPoint(PortcullisHttpConfigurer.loginEntryPoint("/login")))
        .authorizeHttpRequests(auth -> auth.dispatcherTypeMatchers(DispatcherType.ERROR)
            .permitAll()
            .requestMatchers("/", "/login", "/terms", "/actuator/health")
            .permitAll()
            .anyRequest()
            .authenticated())
        .build();
  }
}
