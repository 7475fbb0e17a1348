package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.RawHttp;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * The test portal on Spring Boot's embedded server, with the starter, on a random loopback port over plain HTTP, and
 * what that server answers over a raw socket to the requests it refuses before any filter runs ({@link
 * RawHttp#refusedRequests}): the security headers of every other response, {@code Cache-Control: no-store}, no {@code
 * Server} header, and a body that names neither the server nor anything of the request. A subclass per server
 * chooses the server.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
abstract class ContainerErrorResponsesOverHttp {
  @LocalServerPort
  int port;

  @Autowired
  WebServerApplicationContext context;

  /** The kind of web server the subclass's configuration starts. */
  abstract Class<? extends WebServer> webServer();

  /** Checks that the server is the subclass's, then what it answers to each refused request. */
  final void assertEachRefusedRequestGetsThePlainErrorResponse() throws Exception {
    assertThat(context.getWebServer()).isInstanceOf(webServer());
    RawHttp.assertEachRefusedRequestGetsThePlainErrorResponse(port);
  }
}
