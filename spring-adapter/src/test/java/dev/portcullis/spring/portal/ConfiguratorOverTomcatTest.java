package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.servlet.testing.BrowserSocket;
import dev.portcullis.servlet.testing.HandshakeUser;
import jakarta.servlet.ServletContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Jakarta WebSocket endpoint on the starter's embedded Tomcat whose {@link ServerEndpointConfig.Configurator} reads
 * the user in {@code modifyHandshake}: the handshake request's principal is the {@code PortalPrincipal}, its roles are
 * the portal user's, and its HTTP session is the portal's session of that browser, never a container session.
 */
@SpringBootTest(
    classes = {TestPortal.class, ConfiguratorOverTomcatTest.Feed.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.access.public-paths=/login,/terms",
      "portcullis.access.authenticated-paths=/**"
    })
class ConfiguratorOverTomcatTest {
  private static final String FEED = "/reads/feed";

  @Configuration(proxyBeanMethods = false)
  static class Feed {
    @Bean
    SmartInitializingSingleton readsTheUserEndpoint(ServletContext servletContext) {
      return () -> {
        ServerContainer container =
            (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
        try {
          container.addEndpoint(HandshakeUser.endpoint(FEED));
        } catch (DeploymentException e) {
          throw new IllegalStateException(e);
        }
      };
    }
  }

  @LocalServerPort
  int port;

  private String greeting(String user) throws Exception {
    Browser b = new Browser("http://127.0.0.1:" + port);
    assertThat(b.login(user, user + "-pw").statusCode()).isEqualTo(303);
    return BrowserSocket.openGreeted(
            URI.create("ws://127.0.0.1:" + port + FEED),
            Map.of("Cookie", b.cookieHeader()),
            Duration.ofSeconds(20))
        .firstMessage();
  }

  @Test
  void handshakeRequest_hasThePortalPrincipal_itsRoles_andThePortalSession() throws Exception {
    assertThat(greeting("carol"))
        .isEqualTo("hello u-carol portal=true council=true session=portal");
    assertThat(greeting("alice"))
        .isEqualTo("hello u-alice portal=true council=false session=portal");
  }
}
