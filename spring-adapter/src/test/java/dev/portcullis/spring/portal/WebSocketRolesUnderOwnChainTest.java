package dev.portcullis.spring.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.testing.BrowserSocket;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.UserDirectory;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A Jakarta WebSocket endpoint on a path for one role, where the application's own Spring Security chain (not
 * {@code portcullis.access.*}) decides who may see which path: the re-check of the open socket asks the chain again
 * with the account as it is then, so a user who lost the role loses the socket, and a user who keeps it keeps the
 * socket.
 */
@SpringBootTest(
    classes = {
      TestPortal.class,
      // The application's own chain: COUNCIL_OFFICER for /council/**, a login elsewhere.
      OwnChainOverHttpTest.Chain.class,
      // FeedEndpoint at /council/feed.
      WebSocketOverTomcatTest.Feed.class
    },
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "portcullis.transport.development-mode=true",
      "portcullis.login.terms-version=2026-01",
      // The test runs the re-check itself; the background one waits an hour.
      "portcullis.login.connection-recheck-interval=1h"
    })
class WebSocketRolesUnderOwnChainTest {
  private static final String FEED = WebSocketOverTomcatTest.FEED;

  @LocalServerPort
  int port;

  @Autowired
  PortcullisFilter filter;

  @Autowired
  UserDirectory users;

  @Autowired
  AuditLog audit;

  @Autowired
  AuditSink sink;

  private BrowserSocket openedAs(String user) throws Exception {
    Browser browser = new Browser("http://127.0.0.1:" + port);
    assertThat(browser.login(user, user + "-pw").statusCode()).isEqualTo(303);
    BrowserSocket client = new BrowserSocket(Duration.ofSeconds(20));
    client.connect(
        URI.create("ws://127.0.0.1:" + port + FEED), Map.of("Cookie", browser.cookieHeader()));
    assertThat(client.nextMessage()).isEqualTo("hello u-" + user);
    return client;
  }

  private long accessClosures() throws InterruptedException {
    assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
    return ((RecordingAuditSink) sink)
        .events().stream()
            .filter(e -> e.type().equals(AuditEventType.CONNECTION_CLOSED))
            .filter(e -> e.outcome() == AuditEvent.Outcome.FAILURE)
            .filter(e -> e.actor().map(a -> a.userHandle()).orElse("").equals("u-carol"))
            .filter(e -> e.reason().orElse("").equals("access_denied: missing role for this path"))
            .count();
  }

  @Test
  void aRoleRemovedAfterTheUpgrade_closesTheSocketAtTheRecheck_andOneKeptLeavesItOpen()
      throws Exception {
    InMemoryUserDirectory directory = (InMemoryUserDirectory) users;
    long before = accessClosures();
    BrowserSocket carol = openedAs("carol");
    OpenConnections connections = filter.openConnections().orElseThrow();
    assertThat(connections.size()).isEqualTo(1);

    connections.recheck();
    assertThat(connections.size())
        .as("the chain still lets carol, a council officer, see the path")
        .isEqualTo(1);
    assertThat(carol.socket().isInputClosed()).isFalse();

    try {
      assertThat(directory.update("u-carol", u -> u.withRoles(Set.of("PROVIDER"))))
          .isTrue();
      connections.recheck();
      assertThat(carol.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(connections.size()).isZero();
      assertThat(accessClosures()).isEqualTo(before + 1);
    } finally {
      directory.update("u-carol", u -> u.withRoles(Set.of("COUNCIL_OFFICER")));
    }
  }
}
