package dev.portcullis.spring.portal;

import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;

/** {@link ContainerErrorResponsesOverHttp} on Spring Boot's embedded Tomcat, the starter's default server. */
class ContainerErrorResponsesOverHttpTest extends ContainerErrorResponsesOverHttp {
  @Override
  Class<? extends WebServer> webServer() {
    return TomcatWebServer.class;
  }

  /**
   * Regression: the error report valve Spring Boot sets on Tomcat answered these with none of the security headers
   * (an HTML page naming only the status).
   */
  @Test
  void requestsTomcatRefuses_getThePlainErrorResponse_withTheSecurityHeaders() throws Exception {
    assertEachRefusedRequestGetsThePlainErrorResponse();
  }
}
