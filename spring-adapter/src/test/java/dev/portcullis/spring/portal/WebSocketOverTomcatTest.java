package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.testing.BrowserSocket;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.RecordingAuditSink;
import jakarta.servlet.ServletContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Jakarta WebSocket endpoint ({@link FeedEndpoint}) of a Spring MVC application on the starter, on embedded Tomcat,
 * which performs the upgrade itself (its JSR-356 filter): the upgrade request is checked by the Portcullis filter like
 * any other, the endpoint reaches the {@code PortalPrincipal} through {@code Session.getUserPrincipal()}, and the
 * socket is closed with {@code 1008 Login ended} when its login ends.
 */
@SpringBootTest(
    classes = {TestPortal.class, WebSocketOverTomcatTest.Feed.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      "portcullis.login.connection-recheck-interval=1s",
      "portcullis.access.public-paths=/login,/terms",
      "portcullis.access.rules[0].pattern=/council/**",
      "portcullis.access.rules[0].roles=COUNCIL_OFFICER",
      "portcullis.access.authenticated-paths=/**",
      "portcullis.csrf.trusted-origins=https://app.portal.example"
    })
class WebSocketOverTomcatTest {
  private static final String AUTH = LoginCookies.DEFAULT_AUTH_COOKIE;
  /** The path {@link Feed} registers {@link FeedEndpoint} at. */
  static final String FEED = "/council/feed";

  /** The endpoint, registered with Tomcat's {@code ServerContainer} as Spring's endpoint exporter would. */
  @Configuration(proxyBeanMethods = false)
  static class Feed {
    @Bean
    SmartInitializingSingleton feedEndpoint(ServletContext servletContext) {
      return () -> {
        ServerContainer container =
            (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
        try {
          container.addEndpoint(
              ServerEndpointConfig.Builder.create(FeedEndpoint.class, FEED).build());
        } catch (DeploymentException e) {
          throw new IllegalStateException(e);
        }
      };
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  SessionStore sessions;

  @Autowired
  AuditLog audit;

  @Autowired
  AuditSink sink;

  private Browser browser() {
    return new Browser("http://127.0.0.1:" + port);
  }

  private Browser loggedIn(String user) throws Exception {
    Browser b = browser();
    assertThat(b.login(user, user + "-pw").statusCode()).isEqualTo(303);
    return b;
  }

  private static BrowserSocket client() {
    return new BrowserSocket(Duration.ofSeconds(20));
  }

  private WebSocket open(String cookies, String origin, BrowserSocket client) throws Exception {
    return open(cookies, origin == null ? Map.of() : Map.of("Origin", origin), client);
  }

  private WebSocket open(String cookies, Map<String, String> headers, BrowserSocket client)
      throws Exception {
    Map<String, String> all = new HashMap<>(headers);
    if (cookies != null) {
      all.put("Cookie", cookies);
    }
    return client.connect(URI.create("ws://127.0.0.1:" + port + FEED), all);
  }

  /** The answer to an upgrade that is refused: the handshake fails with the server's response. */
  private HttpResponse<?> refused(String cookies, String origin) {
    return refused(cookies, origin == null ? Map.of() : Map.of("Origin", origin));
  }

  private HttpResponse<?> refused(String cookies, Map<String, String> headers) {
    Throwable[] failure = new Throwable[1];
    assertThatThrownBy(() -> open(cookies, headers, client()))
        .isInstanceOf(ExecutionException.class)
        .satisfies(e -> failure[0] = e.getCause());
    assertThat(failure[0]).isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) failure[0]).getResponse();
  }

  private static String ownOrigin(int port) {
    return "http://127.0.0.1:" + port;
  }

  @Test
  void anonymousUpgrade_isSentToTheLoginPage_andNeverReachesTheEndpoint() {
    HttpResponse<?> r = refused(null, Map.of());
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/login?returnTo=%2Fcouncil%2Ffeed");
  }

  @Test
  void upgradeWithATamperedTicket_isRefused() throws Exception {
    Browser carol = loggedIn("carol");
    String ticket = carol.cookies().get(AUTH);
    char last = ticket.charAt(ticket.length() - 10);
    String tampered = ticket.substring(0, ticket.length() - 10)
        + (last == 'A' ? 'B' : 'A')
        + ticket.substring(ticket.length() - 9);
    String cookies = carol.cookieHeader().replace(AUTH + "=" + ticket, AUTH + "=" + tampered);
    assertThat(cookies).contains(tampered);
    HttpResponse<?> r = refused(cookies, Map.of());
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
  }

  @Test
  void upgradeWithLoggedOutCookies_isRefused() throws Exception {
    Browser carol = loggedIn("carol");
    String old = carol.cookieHeader();
    assertThat(carol.logout().statusCode()).isEqualTo(303);
    HttpResponse<?> r = refused(old, Map.of());
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
  }

  @Test
  void upgradeByAUserWithoutThePathsRole_isForbidden() throws Exception {
    Browser alice = loggedIn("alice");
    HttpResponse<?> r = refused(alice.cookieHeader(), ownOrigin(port));
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void userWithTheRole_opensTheSocket_asAPortalPrincipal_andALogoutClosesItAtOnceWith1008()
      throws Exception {
    Browser carol = loggedIn("carol");
    BrowserSocket client = client();
    WebSocket socket = open(carol.cookieHeader(), ownOrigin(port), client);
    assertThat(client.nextMessage()).isEqualTo("hello u-carol");
    assertThat(carol.logout().statusCode()).isEqualTo(303);
    assertThat(client.awaitClose())
        .isEqualTo(OpenConnections.POLICY_VIOLATION + " " + OpenConnections.CLOSE_REASON)
        .isEqualTo("1008 Login ended");
    assertThat(socket.isInputClosed()).isTrue();
  }

  @Autowired
  PortcullisFilter filter;

  private long closures(String user) throws InterruptedException {
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    return ((RecordingAuditSink) sink)
        .events().stream()
            .filter(e -> e.type().equals(AuditEventType.CONNECTION_CLOSED))
            .filter(e -> e.actor().map(a -> a.userHandle()).orElse("").equals(user))
            .count();
  }

  /**
   * The re-check asks the access rules and the starter's default Spring Security chain (which asks the dispatcher
   * type): neither refuses a user who may still see the path.
   */
  @Test
  void aRecheck_leavesTheSocketOfAUserWhoMayStillSeeThePath() throws Exception {
    Browser carol = loggedIn("carol");
    BrowserSocket client = client();
    WebSocket socket = open(carol.cookieHeader(), Map.of(), client);
    assertThat(client.nextMessage()).isEqualTo("hello u-carol");
    long before = closures("u-carol");
    filter.openConnections().orElseThrow().recheck();
    assertThat(closures("u-carol")).isEqualTo(before);
    assertThat(socket.isInputClosed()).isFalse();
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
  }

  @Test
  void sessionEndedElsewhere_closesTheSocket_atTheRecheck() throws Exception {
    Browser carol = loggedIn("carol");
    BrowserSocket client = client();
    open(carol.cookieHeader(), Map.of(), client);
    assertThat(client.nextMessage()).isEqualTo("hello u-carol");
    // As another node sharing the store would: the session is gone, no request of this node knows.
    assertThat(sessions.deleteByUser("u-carol")).isPositive();
    assertThat(client.awaitClose()).isEqualTo("1008 Login ended");
  }

  private long csrfFailures(String reason) throws InterruptedException {
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    return ((RecordingAuditSink) sink)
        .events().stream()
            .filter(e -> e.type().equals(AuditEventType.CSRF_FAIL))
            .filter(e -> e.outcome() == AuditEvent.Outcome.FAILURE)
            .filter(e -> e.reason().orElse("").equals(reason))
            .count();
  }

  @Test
  void crossSiteUpgrade_withTheUsersCookies_isRefused_andAudited() throws Exception {
    String reason = "WebSocket upgrade: cross-origin request (Origin: https://attacker.example,"
        + " expected http://127.0.0.1:" + port + ")";
    long before = csrfFailures(reason);
    Browser carol = loggedIn("carol");
    HttpResponse<?> r = refused(carol.cookieHeader(), "https://attacker.example");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(csrfFailures(reason)).isEqualTo(before + 1);
  }

  @Test
  void sameSiteButCrossOriginUpgrade_asTheBrowserMarksIt_isRefused() throws Exception {
    // A sibling sub-domain is the same site: SameSite=Lax cookies go with its requests.
    Browser carol = loggedIn("carol");
    HttpResponse<?> r = refused(
        carol.cookieHeader(),
        Map.of("Origin", "https://uploads.portal.example", "Sec-Fetch-Site", "same-site"));
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void upgradeFromATrustedOrigin_opensTheSocket() throws Exception {
    Browser carol = loggedIn("carol");
    BrowserSocket client = client();
    open(carol.cookieHeader(), "https://app.portal.example", client);
    assertThat(client.nextMessage()).isEqualTo("hello u-carol");
  }
}
