package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The actuator on a port of its own under the starter's Spring Security chain: Spring Boot gives the actuator's child
 * context the chain, and the starter gives it the Portcullis filter and the bridge, so the chain there knows the
 * logged-in user as on the application's port. Anonymous visitors get the health status only and are sent to log in
 * for the rest; a council officer sees the health details, which {@code roles} keeps for that role (before, every
 * request on that port was anonymous to the chain).
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "management.server.port=0",
      "management.server.address=127.0.0.1",
      // The actuator's server on Tomcat, as the application's: the test class path has Jetty too.
      "spring.autoconfigure.exclude=org.springframework.boot.jetty.autoconfigure.actuate.web.server"
          + ".JettyServletManagementContextAutoConfiguration",
      "management.endpoints.web.exposure.include=health,env",
      "management.endpoint.health.show-details=when-authorized",
      "management.endpoint.health.roles=COUNCIL_OFFICER",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
class ActuatorOnItsOwnPortUnderTheChainOverHttpTest {
  @LocalServerPort
  int port;

  @LocalManagementPort
  int managementPort;

  @Test
  void actuatorOnItsOwnPort_knowsTheLoggedInUser_andSendsAnonymousVisitorsToLogIn()
      throws Exception {
    assertThat(managementPort).isNotEqualTo(port);
    String management = "http://127.0.0.1:" + managementPort;

    Browser anonymous = new Browser(management);
    HttpResponse<String> health = anonymous.get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").doesNotContain("activeKey");
    HttpResponse<String> env = anonymous.get("/actuator/env");
    assertThat(env.statusCode()).isEqualTo(303);
    assertThat(env.body()).doesNotContain("propertySources");

    Browser carol = new Browser("http://127.0.0.1:" + port);
    assertThat(carol.login("carol", "carol-pw").statusCode()).isEqualTo(303);
    HttpResponse<String> officer = carol.on(management).get("/actuator/health");
    assertThat(officer.statusCode()).isEqualTo(200);
    assertThat(officer.body()).contains("activeKey");
    assertThat(officer.headers().firstValue("Cache-Control")).hasValue("no-store");
  }
}
