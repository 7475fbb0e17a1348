package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** {@code portcullis.security.public-health-probes=false}: the health endpoint needs a login like every page. */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "management.endpoint.health.probes.enabled=true",
      "portcullis.security.public-health-probes=false"
    })
class HealthProbesClosedOverHttpTest {
  @LocalServerPort
  int port;

  @Test
  void probesSwitchedOff_needALogin() throws Exception {
    Browser anonymous = new Browser("http://127.0.0.1:" + port);
    for (String probe : new String[] {"/actuator/health/liveness", "/actuator/health"}) {
      HttpResponse<String> r = anonymous.get(probe);
      assertThat(r.statusCode()).as(probe).isEqualTo(303);
      assertThat(r.headers().firstValue("Location"))
          .hasValue("/login?returnTo=" + URLEncoder.encode(probe, StandardCharsets.UTF_8));
    }
  }
}
