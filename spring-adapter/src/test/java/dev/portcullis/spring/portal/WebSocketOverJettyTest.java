package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.testing.BrowserSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.ee11.websocket.servlet.WebSocketUpgradeFilter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.server.standard.ServerEndpointExporter;

/**
 * A Jakarta WebSocket endpoint ({@link AnnotatedFeedEndpoint}, registered by Spring's {@code ServerEndpointExporter})
 * of a Spring MVC application on the starter, on embedded Jetty with Jetty's Jakarta WebSocket server (as {@code
 * spring-boot-starter-jetty} brings it), where Jetty's upgrade filter performs the upgrade: the upgrade request is
 * checked by the Portcullis filter like any other and the endpoint sees the {@code PortalPrincipal}.
 */
@SpringBootTest(
    classes = {TestPortal.class, WebSocketOverJettyTest.Feed.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      // Jetty instead of Tomcat, as an application with spring-boot-starter-jetty in place of
      // Tomcat's starter.
      "spring.autoconfigure.exclude="
          + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.login.connection-recheck-interval=1s",
      "portcullis.access.public-paths=/login,/terms",
      "portcullis.access.rules[0].pattern=/council/**",
      "portcullis.access.rules[0].roles=COUNCIL_OFFICER",
      "portcullis.access.authenticated-paths=/**"
    })
class WebSocketOverJettyTest {
  private static final String FEED = AnnotatedFeedEndpoint.PATH;

  /** The endpoint, exported the Spring way. */
  @Configuration(proxyBeanMethods = false)
  static class Feed {
    @Bean
    ServerEndpointExporter serverEndpointExporter() {
      ServerEndpointExporter exporter = new ServerEndpointExporter();
      exporter.setAnnotatedEndpointClasses(AnnotatedFeedEndpoint.class);
      return exporter;
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  WebServerApplicationContext context;

  private Browser loggedIn(String user) throws Exception {
    Browser b = new Browser("http://127.0.0.1:" + port);
    assertThat(b.login(user, user + "-pw").statusCode()).isEqualTo(303);
    return b;
  }

  private static BrowserSocket client() {
    return new BrowserSocket(Duration.ofSeconds(20));
  }

  private WebSocket open(String cookies, BrowserSocket client) throws Exception {
    Map<String, String> headers = new HashMap<>();
    headers.put("Origin", "http://127.0.0.1:" + port);
    if (cookies != null) {
      headers.put("Cookie", cookies);
    }
    return client.connect(URI.create("ws://127.0.0.1:" + port + FEED), headers);
  }

  /** The answer to an upgrade that is refused: the handshake fails with the server's response. */
  private HttpResponse<?> refused(String cookies) {
    Throwable[] failure = new Throwable[1];
    assertThatThrownBy(() -> open(cookies, client()))
        .isInstanceOf(ExecutionException.class)
        .satisfies(e -> failure[0] = e.getCause());
    assertThat(failure[0]).isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) failure[0]).getResponse();
  }

  @Test
  void theApplication_runsOnJetty_withSpringBootsUpgradeFilterAfterThePortcullisFilter() {
    assertThat(context.getWebServer()).isInstanceOf(JettyWebServer.class);
    List<String> order = JettyUpgradeFilterOrderTest.filterOrder(context);
    assertThat(order).containsOnlyOnce(WebSocketUpgradeFilter.class.getName());
    assertThat(order.indexOf(WebSocketUpgradeFilter.class.getName()))
        .isGreaterThan(order.indexOf("portcullisFilter"));
  }

  @Test
  void anonymousUpgrade_isSentToTheLoginPage_andNeverReachesTheEndpoint() {
    HttpResponse<?> r = refused(null);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/login?returnTo=%2Fcouncil%2Ffeed");
  }

  @Test
  void upgradeByAUserWithoutThePathsRole_isForbidden() throws Exception {
    Browser alice = loggedIn("alice");
    assertThat(refused(alice.cookieHeader()).statusCode()).isEqualTo(403);
  }

  @Test
  void userWithTheRole_opensTheSocket_asAPortalPrincipal_andALogoutClosesItWith1008()
      throws Exception {
    Browser carol = loggedIn("carol");
    BrowserSocket client = client();
    WebSocket socket = open(carol.cookieHeader(), client);
    assertThat(client.nextMessage()).isEqualTo("hello u-carol");
    assertThat(carol.logout().statusCode()).isEqualTo(303);
    assertThat(client.awaitClose())
        .isEqualTo(OpenConnections.POLICY_VIOLATION + " " + OpenConnections.CLOSE_REASON);
    assertThat(socket.isInputClosed()).isTrue();
  }
}
