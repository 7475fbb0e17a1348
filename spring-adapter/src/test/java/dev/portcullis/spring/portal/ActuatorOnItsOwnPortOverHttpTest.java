package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.crypto.KeyRing;
import dev.portcullis.spring.TestUsers;
import dev.portcullis.testing.TestKeyRings;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Regression: with the actuator on a port of its own ({@code management.server.port}), Spring Boot serves it from a
 * child context with a servlet container of its own, to which it gives Spring Security's filter chain and no other
 * filter. Where the Portcullis access rules ({@code portcullis.access.*}) decide, with no Spring Security chain, that
 * port answered every request without them: an anonymous visitor and a provider read {@code /actuator/env}, which the
 * rules keep for administrators. The Portcullis filter now guards that port as it guards the application's.
 */
@SpringBootTest(
    classes = ActuatorOnItsOwnPortOverHttpTest.Portal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "management.server.port=0",
      "management.server.address=127.0.0.1",
      "management.endpoints.web.exposure.include=health,env",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.access.public-paths=/login,/terms",
      "portcullis.access.rules[0].pattern=/actuator/**",
      "portcullis.access.rules[0].roles=ADMIN",
      "portcullis.access.authenticated-paths=/**"
    })
class ActuatorOnItsOwnPortOverHttpTest {
  /** The test portal's pages and users with the actuator on Tomcat, and without Spring Security's filter chain. */
  @SpringBootConfiguration
  @EnableAutoConfiguration(
      excludeName = {
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet"
            + ".ManagementWebSecurityAutoConfiguration",
        "dev.portcullis.spring.PortcullisSecurityAutoConfiguration",
        // The actuator's server on Tomcat, as the application's: the test class path has Jetty too.
        "org.springframework.boot.jetty.autoconfigure.actuate.web.server"
            + ".JettyServletManagementContextAutoConfiguration"
      })
  @Import({TestUsers.class, TestPortal.Pages.class})
  static class Portal {
    @Bean
    KeyRing testKeyRing() {
      return TestKeyRings.current();
    }
  }

  @LocalServerPort
  int port;

  @LocalManagementPort
  int managementPort;

  @Test
  void actuatorOnItsOwnPort_isBehindTheAccessRules_forAnonymousVisitorsAndUsersWithoutTheRole()
      throws Exception {
    assertThat(managementPort).isNotEqualTo(port);
    String management = "http://127.0.0.1:" + managementPort;

    HttpResponse<String> anonymous = new Browser(management).get("/actuator/env");
    assertThat(anonymous.statusCode()).as("anonymous, on the actuator's port").isEqualTo(303);
    assertThat(anonymous.headers().firstValue("Location"))
        .hasValue("/login?returnTo=%2Factuator%2Fenv");
    assertThat(anonymous.body()).doesNotContain("propertySources");

    Browser alice = new Browser("http://127.0.0.1:" + port);
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    assertThat(alice.get("/whoami").body()).startsWith("u-alice");
    HttpResponse<String> provider = alice.on(management).get("/actuator/env");
    assertThat(provider.statusCode()).as("a provider, on the actuator's port").isEqualTo(403);
    assertThat(provider.body()).doesNotContain("propertySources");
    assertThat(provider.headers().firstValue("Cache-Control")).hasValue("no-store");

    // The same answers as on the application's port, where the actuator is not served.
    assertThat(new Browser("http://127.0.0.1:" + port).get("/actuator/env").statusCode())
        .isEqualTo(303);
    assertThat(alice.get("/actuator/env").statusCode()).isEqualTo(403);
  }
}
