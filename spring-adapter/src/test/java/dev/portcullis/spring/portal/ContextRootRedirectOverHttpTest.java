package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Regression: the starter on embedded Tomcat with a context path. Tomcat redirects a request for the context root
 * without its slash ({@code /portal}) to {@code /portal/} itself, before any filter, and as Spring Boot turns Tomcat's
 * relative redirects off, it built that {@code Location} from the request's {@code Host} header and the connection's
 * scheme: through the trusted proxy, {@code Host: evil.example} was sent to {@code http://evil.example/portal/}.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "server.servlet.context-path=/portal",
      "portcullis.transport.trusted-proxies=127.0.0.1",
      "portcullis.transport.canonical-host=portal.example",
      "portcullis.login.terms-version=2026-01"
    })
class ContextRootRedirectOverHttpTest {
  @LocalServerPort
  int port;

  @Test
  void theContextRootsRedirect_staysRelative_whateverTheHostHeader() throws Exception {
    Map<String, String> locations = new LinkedHashMap<>();
    for (String host : List.of("portal.example", "evil.example")) {
      try (KeepAliveConnection c = new KeepAliveConnection(port)) {
        KeepAliveConnection.Response r =
            c.get("/portal", List.of("Host: " + host, "X-Forwarded-Proto: https"));
        locations.put(host, r.status() + " " + r.header("Location"));
      }
    }
    assertThat(locations)
        .containsExactly(
            entry("portal.example", "302 /portal/"), entry("evil.example", "302 /portal/"));
  }
}
