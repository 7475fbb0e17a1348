package dev.portcullis.spring.portal;

import dev.portcullis.testing.RawHttp;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What Spring Boot's embedded Jetty answers, with the starter, to requests it refuses before any filter runs, over a
 * raw socket: the security headers of every other response, {@code Cache-Control: no-store}, no {@code Server}
 * header, and a body that names neither the server nor anything of the request.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.autoconfigure.exclude="
          + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
class JettyContainerErrorResponsesOverHttpTest {
  @LocalServerPort
  int port;

  /**
   * Regression: Jetty's own error page answered these, with none of the security headers, in an HTML body that
   * repeats Jetty's reason for the refusal and, for a path it refuses, the request's URI.
   */
  @Test
  void requestsJettyRefuses_getThePlainErrorResponse_withTheSecurityHeaders() throws Exception {
    SoftAssertions softly = new SoftAssertions();
    for (Map.Entry<String, String> refused : RawHttp.refusedRequests(port).entrySet()) {
      RawHttp.Response response = RawHttp.send(port, refused.getValue());
      softly
          .assertThat(RawHttp.errorPageProblems(response))
          .as("%s, answered:%n%s", refused.getKey(), response)
          .isEmpty();
      softly.assertThat(response.body()).as(refused.getKey()).matches(RawHttp.PLAIN_BODY);
    }
    softly.assertAll();
  }
}
