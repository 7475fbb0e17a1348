package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Regression: {@code server.tomcat.remoteip.remote-ip-header} or {@code protocol-header} makes Spring Boot add
 * Tomcat's {@code RemoteIpValve} whatever {@code server.forward-headers-strategy} says, and the starter refused that
 * valve beside trusted proxies or development mode only when the strategy turned it on. The valve takes the client's
 * address from {@code X-Forwarded-For} for any client in a private or loopback range, so such a client that wrote a
 * trusted proxy's address there passed for the proxy, and its own {@code X-Forwarded-Proto: https} made plain HTTP
 * count as HTTPS (a {@code 200} with HSTS over plain HTTP instead of the {@code 308}). Start-up now fails as it does
 * for {@code server.forward-headers-strategy=native}. A real Spring Boot start on embedded Tomcat.
 */
class TomcatRemoteIpValveTest {
  private static final List<String> PORTAL = List.of(
      "server.port=0",
      "server.address=127.0.0.1",
      "portcullis.transport.canonical-host=portal.example",
      "portcullis.login.terms-version=2026-01",
      "portcullis.access.public-paths=/login,/terms",
      "portcullis.access.authenticated-paths=/**");

  /** What starting the test portal with {@code properties} besides its own threw; null when it started. */
  private static Throwable start(String... properties) {
    List<String> all = new ArrayList<>(PORTAL);
    all.addAll(List.of(properties));
    return catchThrowable(() -> {
      try (ConfigurableApplicationContext started = new SpringApplicationBuilder(TestPortal.class)
          .properties(all.toArray(String[]::new))
          .run()) {
        // Started: closed again at once; the assertion below says what was expected.
      }
    });
  }

  @Test
  void remoteIpHeader_besideTrustedProxies_failsStartUp_evenWithTheStrategyNone() {
    for (String strategy : List.of("", "server.forward-headers-strategy=none")) {
      List<String> properties = new ArrayList<>(List.of(
          "server.tomcat.remoteip.remote-ip-header=x-forwarded-for",
          "portcullis.transport.trusted-proxies=10.0.0.5"));
      if (!strategy.isEmpty()) {
        properties.add(strategy);
      }
      assertThat(start(properties.toArray(String[]::new)))
          .as("with %s", properties)
          .isNotNull()
          .hasStackTraceContaining("server.tomcat.remoteip.remote-ip-header=x-forwarded-for")
          .hasStackTraceContaining(
              "portcullis.transport.trusted-proxies would be matched against an address the client can choose");
    }
  }

  @Test
  void protocolHeader_inDevelopmentMode_failsStartUp() {
    assertThat(start(
            "server.tomcat.remoteip.protocol-header=X-Forwarded-Proto",
            "portcullis.transport.development-mode=true"))
        .isNotNull()
        .hasStackTraceContaining("server.tomcat.remoteip.protocol-header=X-Forwarded-Proto")
        .hasStackTraceContaining(
            "development-mode would accept plain HTTP from any client that claims");
  }

  @Test
  void remoteIpValve_withoutSayingWhoDecidesHttps_failsStartUp_andStartsOnceSaid() {
    assertThat(start("server.tomcat.remoteip.remote-ip-header=x-forwarded-for"))
        .isNotNull()
        .hasStackTraceContaining("server.tomcat.remoteip.remote-ip-header=x-forwarded-for")
        .hasStackTraceContaining(
            "makes the container decide from forwarding headers whether a request used HTTPS");
    assertThat(start(
            "server.tomcat.remoteip.remote-ip-header=x-forwarded-for",
            "portcullis.transport.container-decides-https=false"))
        .isNull();
  }
}
