package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.spring.PortcullisHttpConfigurer;
import jakarta.servlet.DispatcherType;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An application's own chain with {@link PortcullisHttpConfigurer}, and no {@code portcullis.access.*}: Spring
 * Security's rules decide, Portcullis logs in, and none of Spring Security's own login, session or CSRF handling
 * remains.
 */
@SpringBootTest(
    classes = {TestPortal.class, OwnChainOverHttpTest.Chain.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
class OwnChainOverHttpTest {
  @Configuration(proxyBeanMethods = false)
  static class Chain {
    @Bean
    SecurityFilterChain portalChain(HttpSecurity http) throws Exception {
      return http.with(PortcullisHttpConfigurer.portcullis(), portcullis -> {})
          .authorizeHttpRequests(auth -> auth.dispatcherTypeMatchers(DispatcherType.ERROR)
              .permitAll()
              .requestMatchers("/login", "/terms")
              .permitAll()
              .requestMatchers("/council/**", "/council")
              .hasRole("COUNCIL_OFFICER")
              .anyRequest()
              .authenticated())
          .build();
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  @Qualifier("portalChain")
  SecurityFilterChain chain;

  @Test
  void theApplicationsRulesDecide_andPortcullisLogsIn() throws Exception {
    Browser alice = new Browser("http://127.0.0.1:" + port);
    HttpResponse<String> anonymous = alice.get("/whoami");
    assertThat(anonymous.statusCode()).isEqualTo(303);
    assertThat(anonymous.headers().firstValue("Location")).hasValue("/login?returnTo=%2Fwhoami");
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(alice.get("/whoami").body())
        .as("the servlet API's principal stays Portcullis's")
        .startsWith("u-alice csrf=");
    assertThat(alice.get("/council").statusCode())
        .as("alice is no council officer")
        .isEqualTo(403);
    assertThat(alice.cookies()).doesNotContainKey("JSESSIONID");

    Browser carol = new Browser("http://127.0.0.1:" + port);
    carol.login("carol", "carol-pw");
    assertThat(carol.get("/council").body()).isEqualTo("council page for Carol Clark");
    assertThat(carol.logout().statusCode()).as("Portcullis answers the logout").isEqualTo(303);
    assertThat(carol.get("/council").statusCode()).isEqualTo(303);
  }

  @Test
  void springSecuritysOwnLoginSessionAndCsrfHandling_areSwitchedOff() {
    assertThat(chain.getFilters())
        .extracting(f -> f.getClass().getSimpleName())
        .doesNotContain(
            "CsrfFilter",
            "UsernamePasswordAuthenticationFilter",
            "BasicAuthenticationFilter",
            "LogoutFilter",
            "DefaultLoginPageGeneratingFilter",
            "SecurityContextHolderAwareRequestFilter",
            "RequestCacheAwareFilter",
            "SessionManagementFilter",
            "HeaderWriterFilter")
        .contains(
            "SecurityContextHolderFilter", "AuthorizationFilter", "ExceptionTranslationFilter");
  }
}
