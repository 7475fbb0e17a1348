package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * The starter in a Spring MVC application with Spring Security on embedded Jetty (Spring Boot's Jetty support in
 * place of Tomcat), over real HTTP: how Jetty hands cookies to Portcullis.
 */
@SpringBootTest(
    classes = TestPortal.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      // Jetty instead of Tomcat, as an application with spring-boot-starter-jetty in place of
      // Tomcat's starter.
      "spring.autoconfigure.exclude="
          + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01"
    })
class JettyPortalOverHttpTest {
  @LocalServerPort
  int port;

  @Autowired
  WebServerApplicationContext context;

  @Test
  void theApplication_runsOnJetty() {
    assertThat(context.getWebServer()).isInstanceOf(JettyWebServer.class);
    Server server = ((JettyWebServer) context.getWebServer()).getServer();
    assertThat(server.getConnectors()).isNotEmpty();
  }

  /**
   * Regression: on Spring Boot's Jetty the starter kept Jetty's default header cache, which on one keep-alive
   * connection hands the filter a {@code Cookie} header that differs from an earlier one only in letter case as the
   * earlier one: the logged-in user's cookies with every letter's case changed, which open nothing, were taken for
   * hers.
   */
  @Test
  void cookiesDifferingOnlyInLetterCase_onOneConnection_areNotTakenForTheEarlierOnes()
      throws Exception {
    Browser carol = new Browser("http://127.0.0.1:" + port);
    assertThat(carol.login("carol", "carol-pw").statusCode()).isEqualTo(303);
    String changed = carol.caseSwappedCookieHeader();
    assertThat(changed).isNotEqualTo(carol.cookieHeader());

    try (KeepAliveConnection c = new KeepAliveConnection(port)) {
      KeepAliveConnection.Response own = c.get("/whoami", carol.cookieHeader());
      assertThat(own.body()).startsWith("u-carol ");
      KeepAliveConnection.Response other = c.get("/whoami", changed);
      assertThat(other.body()).as("the changed cookies log nobody in").doesNotStartWith("u-carol");
      assertThat(other.status()).as("sent to the login page").isEqualTo(303);
    }
  }
}
