package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.servlet.testing.BrowserSocket;
import dev.portcullis.servlet.testing.HandshakeUser;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.ee10.websocket.servlet.WebSocketUpgradeFilter;
import org.junit.jupiter.api.Test;

/**
 * A Jakarta WebSocket endpoint registered with Jetty 12's {@code ServerContainer} (ee10), whose {@link
 * ServerEndpointConfig.Configurator} reads the user in {@code modifyHandshake}, behind the filter: the upgrade is
 * checked by the filter like any request for its path, and the handshake request's principal, roles and HTTP session
 * are the filter's.
 */
class JakartaWebSocketOnJettyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void anonymousUpgrade_isSentToTheLoginPage_andNeverReachesTheEndpoint() throws Exception {
    try (LoginPortal portal = portal()) {
      HttpResponse<?> refused = refused(portal, portal.browser(), "/feed/council");
      assertThat(refused.statusCode()).isEqualTo(303);
      assertThat(refused.headers().firstValue("Location"))
          .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
    }
  }

  @Test
  void upgradeByAUserWithoutThePathsRole_isForbidden() throws Exception {
    try (LoginPortal portal = portal()) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      assertThat(refused(portal, alice, "/feed/council").statusCode()).isEqualTo(403);
    }
  }

  @Test
  void handshakeRequest_hasThePortalPrincipal_itsRoles_andThePortalSession() throws Exception {
    try (LoginPortal portal = portal()) {
      Browser carol = portal.browser();
      carol.login("carol", "carol-pw", false);
      BrowserSocket council = open(portal, carol, "/feed/council");
      assertThat(council.firstMessage())
          .isEqualTo("hello u-carol portal=true council=true session=portal");
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      BrowserSocket news = open(portal, alice, "/feed/news");
      assertThat(news.firstMessage()).startsWith("hello u-alice portal=true council=false ");
    }
  }

  // --- the portal --------------------------------------------------------------------------

  /**
   * Regression: with Jetty's default filter order its upgrade filter ran before the Portcullis filter, and an anonymous
   * upgrade to a path for council officers opened the socket ({@code 101}). The filter now refuses to start there.
   */
  @Test
  void jettysUpgradeFilterBeforeThePortcullisFilter_stopsTheStart() {
    assertThatThrownBy(() -> LoginPortal.withContext(
                (p, filter) -> {},
                context -> JakartaWebSocketServletContainerInitializer.configure(
                    context, JakartaWebSocketOnJettyTest::addEndpoints))
            .close())
        .hasStackTraceContaining("runs before the Portcullis filter")
        .hasStackTraceContaining(WebSocketUpgradeFilter.class.getName());
  }

  private static LoginPortal portal() throws Exception {
    return LoginPortal.withContext(
        (p, filter) -> filter.access(
            AccessPolicy.builder()
                .permitAll("/login", "/terms")
                .requireAnyRole("/feed/council", "COUNCIL_OFFICER")
                .authenticated("/**")
                .build(),
            "/login"),
        JakartaWebSocketOnJettyTest::addFeed);
  }

  private static void addFeed(ServletContextHandler context) {
    // Jetty's upgrade filter declared by the application after the Portcullis filter; left
    // undeclared, Jetty puts it before every other filter.
    FilterHolder upgrade = new FilterHolder(new WebSocketUpgradeFilter());
    upgrade.setName(WebSocketUpgradeFilter.class.getName());
    upgrade.setAsyncSupported(true);
    context.addFilter(upgrade, "/*", EnumSet.of(DispatcherType.REQUEST));
    JakartaWebSocketServletContainerInitializer.configure(
        context, JakartaWebSocketOnJettyTest::addEndpoints);
  }

  private static void addEndpoints(ServletContext servletContext, ServerContainer container)
      throws DeploymentException {
    for (String path : new String[] {"/feed/council", "/feed/news"}) {
      container.addEndpoint(HandshakeUser.endpoint(path));
    }
  }

  private static URI uri(LoginPortal portal, String path) {
    return URI.create(portal.base.replaceFirst("^http", "ws").replaceFirst("/$", "") + path);
  }

  private static BrowserSocket open(LoginPortal portal, Browser browser, String path)
      throws Exception {
    return BrowserSocket.openGreeted(
        uri(portal, path), Map.of("Cookie", browser.cookieHeader()), WAIT);
  }

  private static HttpResponse<?> refused(LoginPortal portal, Browser browser, String path) {
    String cookies = browser.cookieHeader();
    ExecutionException e = catchThrowableOfType(
        ExecutionException.class,
        () -> new BrowserSocket(WAIT)
            .connect(uri(portal, path), cookies.isEmpty() ? Map.of() : Map.of("Cookie", cookies)));
    assertThat(e).as("the upgrade is refused").isNotNull();
    assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) e.getCause()).getResponse();
  }
}
