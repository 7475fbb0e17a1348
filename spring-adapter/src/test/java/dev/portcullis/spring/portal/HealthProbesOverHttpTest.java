package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The starter's default chain with the actuator: container probes reach the health endpoint and its liveness and
 * readiness groups without logging in, while every other page still needs a login.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "management.endpoint.health.probes.enabled=true"
    })
class HealthProbesOverHttpTest {
  @LocalServerPort
  int port;

  @Test
  void livenessReadinessAndHealth_areReachableAnonymously() throws Exception {
    Browser anonymous = new Browser("http://127.0.0.1:" + port);
    for (String probe :
        new String[] {"/actuator/health/liveness", "/actuator/health/readiness", "/actuator/health"
        }) {
      HttpResponse<String> r = anonymous.get(probe);
      assertThat(r.statusCode()).as(probe).isEqualTo(200);
      assertThat(r.body()).as(probe).contains("\"status\":\"UP\"");
    }
    assertThat(anonymous.get("/council").statusCode()).isEqualTo(303);
    assertThat(anonymous.get("/actuator").statusCode())
        .as("other actuator paths need a login")
        .isEqualTo(303);
  }
}
