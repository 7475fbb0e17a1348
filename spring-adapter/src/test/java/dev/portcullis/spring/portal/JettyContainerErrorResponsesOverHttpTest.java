package dev.portcullis.spring.portal;

import org.junit.jupiter.api.Test;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.test.context.TestPropertySource;

/** {@link ContainerErrorResponsesOverHttp} on Spring Boot's embedded Jetty (Tomcat's auto-configuration excluded). */
@TestPropertySource(
    properties =
        "spring.autoconfigure.exclude="
            + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration")
class JettyContainerErrorResponsesOverHttpTest extends ContainerErrorResponsesOverHttp {
  @Override
  Class<? extends WebServer> webServer() {
    return JettyWebServer.class;
  }

  /**
   * Regression: Jetty's own error page answered these, with none of the security headers, in an HTML body that
   * repeats Jetty's reason for the refusal and, for a path it refuses, the request's URI.
   */
  @Test
  void requestsJettyRefuses_getThePlainErrorResponse_withTheSecurityHeaders() throws Exception {
    assertEachRefusedRequestGetsThePlainErrorResponse();
  }
}
