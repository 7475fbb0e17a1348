package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * Servlet 6.1's {@code sendRedirect} methods with a status on Spring Boot's embedded Jetty 12.1 (ee11), configured
 * to make redirects absolute ({@code HttpConfiguration.setRelativeRedirectAllowed(false)}), as Jetty builds them from
 * the request's {@code Host} header.
 *
 * <p>Regression: the servlet API's response wrapper passes these straight to the container's response, past the
 * filter's, so a request with {@code Host: evil.example} had the application's {@code sendRedirect("/reports/1",
 * 303)} answer {@code Location: http://evil.example/reports/1}, where its {@code sendRedirect("/reports/1")} stays
 * relative.
 */
@SpringBootTest(
    classes = {TestPortal.class, JettyRedirectWithStatusOverHttpTest.AbsoluteRedirects.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.autoconfigure.exclude="
          + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
class JettyRedirectWithStatusOverHttpTest {
  @LocalServerPort
  int port;

  /** Jetty's absolute redirects, built from the request's Host header. */
  @TestConfiguration(proxyBeanMethods = false)
  static class AbsoluteRedirects {
    @Bean
    JettyServerCustomizer absoluteRedirects() {
      return server -> {
        for (var connector : server.getConnectors()) {
          HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
          if (http != null) {
            http.getHttpConfiguration().setRelativeRedirectAllowed(false);
          }
        }
      };
    }
  }

  @Test
  void servlet61Redirects_stayRelative_whateverTheHostHeader() throws Exception {
    Browser alice = new Browser("http://127.0.0.1:" + port);
    assertThat(alice.login("alice", "alice-pw").statusCode()).isEqualTo(303);
    Map<String, String> answers = new LinkedHashMap<>();
    for (String path : List.of("/moved/status", "/moved/buffer", "/moved/both", "/to-report/1")) {
      for (String host : List.of("127.0.0.1:" + port, "evil.example", "evil.example:443")) {
        try (KeepAliveConnection c = new KeepAliveConnection(port)) {
          KeepAliveConnection.Response r =
              c.get(path, List.of("Host: " + host, "Cookie: " + alice.cookieHeader()));
          answers.put(path + " " + host, r.status() + " " + r.header("Location"));
          assertThat(r.header("X-Frame-Options")).as(path + " " + host).isEqualTo("DENY");
          assertThat(r.body()).as(path + " " + host).isEmpty();
        }
      }
    }
    Map<String, String> expected = new LinkedHashMap<>();
    Map<String, String> status = Map.of(
        "/moved/status",
        "303",
        "/moved/buffer",
        "302",
        "/moved/both",
        "307",
        "/to-report/1",
        "302");
    for (String path : List.of("/moved/status", "/moved/buffer", "/moved/both", "/to-report/1")) {
      for (String host : List.of("127.0.0.1:" + port, "evil.example", "evil.example:443")) {
        expected.put(path + " " + host, status.get(path) + " /reports/1");
      }
    }
    assertThat(answers).containsExactlyEntriesOf(expected);
  }
}
