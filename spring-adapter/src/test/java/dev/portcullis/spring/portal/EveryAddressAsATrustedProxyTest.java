package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Regression: {@code portcullis.transport.trusted-proxies=0.0.0.0/0} made every client a trusted proxy, whose own
 * {@code X-Forwarded-Proto: https} made plain HTTP count as HTTPS and whose {@code X-Forwarded-For} chose the address
 * the login limit and the audit log see. Start-up now fails, naming the entry.
 */
class EveryAddressAsATrustedProxyTest {
  @Test
  void everyAddressAsATrustedProxy_failsStartUp_namingTheEntry() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(TestPortal.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "portcullis.transport.canonical-host=portal.example",
                "portcullis.transport.trusted-proxies=10.0.0.0/8,0.0.0.0/0",
                "portcullis.login.terms-version=2026-01",
                "portcullis.access.public-paths=/login,/terms",
                "portcullis.access.authenticated-paths=/**")
            .run())
        .hasStackTraceContaining("TransportConfig: trusted proxy '0.0.0.0/0' is every address");
  }
}
