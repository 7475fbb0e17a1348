package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.access.AccessPolicy;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SessionLimit;
import dev.portcullis.servlet.testing.BrowserSocket;
import dev.portcullis.servlet.testing.FeedSocket;
import dev.portcullis.servlet.testing.TestJetty;
import dev.portcullis.session.SessionListener;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.transport.TransportConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket opened behind the filter (its upgrade request checked like any request) is closed with 1008 when the
 * login behind it ends: at once by a logout or "log out everywhere" through the same filter, and at the re-check by
 * anything a request would be refused for (a revocation on another node, an expired ticket, a removed role, a removed
 * account). Real Jetty, Jetty's WebSocket server API, the JDK's WebSocket client.
 */
class OpenWebSocketsEndWithTheirLoginTest {
  private static final long WAIT_SECONDS = 10;
  private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);

  @Test
  void logout_closesThatBrowsersSocketWith1008_whileAnotherUsersSocketStaysOpen() throws Exception {
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofSeconds(30))) {
      Browser alice = portal.browser();
      Browser bob = portal.browser();
      alice.login("alice", "alice-pw", false);
      bob.login("bob", "bob-pw", false);
      BrowserSocket aliceFeed = open(portal, alice, "/feed/news");
      BrowserSocket bobFeed = open(portal, bob, "/feed/news");
      assertThat(aliceFeed.nextMessage()).isEqualTo("hello u-alice");
      assertThat(bobFeed.nextMessage()).isEqualTo("hello u-bob");
      assertThat(connections(portal).size()).isEqualTo(2);

      assertThat(alice.logout().statusCode()).isEqualTo(303);

      assertThat(aliceFeed.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(echo(bobFeed, "still there")).isEqualTo("echo still there");
      assertThat(connections(portal).size()).isEqualTo(1);
      AuditEvent closed = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.CONNECTION_CLOSED, e -> e.action().equals(Optional.of("logout")));
      assertThat(closed.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
      assertThat(closed.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
      for (String cookie : alice.cookies().values()) {
        assertThat(closed.toString()).doesNotContain(cookie);
      }
    }
  }

  @Test
  void upgradeFromAnotherOrigin_withTheUsersCookies_isRefusedAndAudited_whileItsOwnOriginOpens()
      throws Exception {
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofSeconds(30))) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      URI uri =
          URI.create(portal.base.replaceFirst("^http", "ws").replaceFirst("/$", "") + "/feed/news");
      ExecutionException refused = catchThrowableOfType(
          ExecutionException.class,
          () -> HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .header("Cookie", alice.cookieHeader())
              .header("Origin", "https://attacker.example")
              .buildAsync(uri, new BrowserSocket(WAIT))
              .get(WAIT_SECONDS, TimeUnit.SECONDS));
      assertThat(refused).as("the upgrade from another origin is refused").isNotNull();
      assertThat(refused.getCause()).isInstanceOf(WebSocketHandshakeException.class);
      assertThat(
              ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode())
          .isEqualTo(403);
      AuditEvent csrf = portal.flushedSink().assertOnce(AuditEventType.CSRF_FAIL, e -> true);
      assertThat(csrf.reason().orElse("")).startsWith("WebSocket upgrade: cross-origin request");
      assertThat(connections(portal).size()).isZero();

      BrowserSocket own = open(portal, alice, "/feed/news", portal.base.replaceFirst("/$", ""));
      assertThat(own.nextMessage()).isEqualTo("hello u-alice");
    }
  }

  @Test
  void logoutEverywhere_closesEverySocketOfThatUser_atOnce() throws Exception {
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofSeconds(30))) {
      Browser laptop = portal.browser();
      Browser phone = portal.browser();
      Browser bob = portal.browser();
      laptop.login("alice", "alice-pw", false);
      phone.login("alice", "alice-pw", false);
      bob.login("bob", "bob-pw", false);
      BrowserSocket onLaptop = open(portal, laptop, "/feed/news");
      BrowserSocket onPhone = open(portal, phone, "/feed/news");
      BrowserSocket bobFeed = open(portal, bob, "/feed/news");

      assertThat(laptop
              .post("/logout-everywhere", Map.of("_csrf", laptop.pageCsrf()))
              .statusCode())
          .isEqualTo(303);

      assertThat(onLaptop.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(onPhone.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(echo(bobFeed, "hi")).isEqualTo("echo hi");
      assertThat(connections(portal).size()).isEqualTo(1);
    }
  }

  @Test
  void endingAnotherSession_closesTheSocketsOpenedWithIt_atOnce_whileTheOthersStayOpen()
      throws Exception {
    // No re-check runs during the test: only the end itself can close the socket.
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofMinutes(30))) {
      Browser laptop = portal.browser();
      Browser phone = portal.browser();
      Browser bob = portal.browser();
      laptop.login("alice", "alice-pw", false);
      phone.login("alice", "alice-pw", false);
      bob.login("bob", "bob-pw", false);
      BrowserSocket onLaptop = open(portal, laptop, "/feed/news");
      BrowserSocket onPhone = open(portal, phone, "/feed/news");
      BrowserSocket bobFeed = open(portal, bob, "/feed/news");
      String phonesHandle = laptop
          .get("/my-sessions")
          .body()
          .lines()
          .map(line -> line.split(" "))
          .filter(fields -> fields[1].equals("other"))
          .map(fields -> fields[0])
          .findFirst()
          .orElseThrow();

      assertThat(laptop
              .post("/my-sessions/end", Map.of("handle", phonesHandle, "_csrf", laptop.pageCsrf()))
              .body())
          .isEqualTo("Ended[]");

      assertThat(onPhone.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(echo(onLaptop, "still there")).isEqualTo("echo still there");
      assertThat(echo(bobFeed, "hi")).isEqualTo("echo hi");
      assertThat(connections(portal).size()).isEqualTo(2);
      AuditEvent closed = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.CONNECTION_CLOSED,
              e -> e.action().equals(Optional.of("session_ended")));
      assertThat(closed.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
      assertThat(closed.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
      for (String cookie : phone.cookies().values()) {
        assertThat(closed.toString()).doesNotContain(cookie);
      }
      assertThat(closed.toString()).doesNotContain(phonesHandle);
    }
  }

  @Test
  void sessionLimitEndingTheOldestSession_closesItsSocket_atOnce() throws Exception {
    // No re-check runs during the test: only the login that ends the session can close the socket.
    try (LoginPortal portal = portal(
        new ChangedAccounts(),
        Duration.ofMinutes(30),
        filter -> filter.access(
            AccessPolicy.builder()
                .permitAll("/login", "/terms")
                .authenticated("/**")
                .build(),
            "/login"),
        login -> login.maxSessionsPerUser(1, SessionLimit.END_OLDEST))) {
      Browser laptop = portal.browser();
      Browser bob = portal.browser();
      laptop.login("alice", "alice-pw", false);
      bob.login("bob", "bob-pw", false);
      BrowserSocket onLaptop = open(portal, laptop, "/feed/news");
      BrowserSocket bobFeed = open(portal, bob, "/feed/news");

      Browser phone = portal.browser();
      phone.login("alice", "alice-pw", false);
      assertThat(phone.whoami()).isEqualTo("u-alice");
      assertThat(laptop.get("/whoami").statusCode())
          .as("the oldest session ended: sent to the login page")
          .isEqualTo(303);

      assertThat(onLaptop.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(echo(bobFeed, "hi")).isEqualTo("echo hi");
      assertThat(connections(portal).size()).isEqualTo(1);
      AuditEvent closed = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.CONNECTION_CLOSED,
              e -> e.action().equals(Optional.of("session_ended")));
      assertThat(closed.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    }
  }

  @Test
  void logoutEverywhereOnAnotherNode_closesTheSocket_atTheRecheck() throws Exception {
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofSeconds(30));
        TestJetty other = secondNode(portal)) {
      Browser here = portal.browser();
      here.login("alice", "alice-pw", false);
      BrowserSocket feed = open(portal, here, "/feed/news");
      Browser there = new Browser(other.baseUri().toString());
      there.login("alice", "alice-pw", false);
      assertThat(there
              .post("/logout-everywhere", Map.of("_csrf", there.pageCsrf()))
              .statusCode())
          .isEqualTo(303);
      assertThat(echo(feed, "before the re-check"))
          .as("the other node cannot reach this node's sockets")
          .isEqualTo("echo before the re-check");

      connections(portal).recheck();

      assertThat(feed.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(connections(portal).size()).isZero();
      AuditEvent closed = portal.flushedSink().assertOnce(AuditEventType.CONNECTION_CLOSED);
      assertThat(closed.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      // "Log out everywhere" deleted the session the socket's ticket is bound to, which a request
      // finds first.
      assertThat(closed.reason())
          .hasValue("authn_token_invalid: auth ticket not bound to this session");
      assertThat(closed.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    }
  }

  @Test
  void removedRole_closesTheSocketOfARoleProtectedPath_only() throws Exception {
    ChangedAccounts accounts = new ChangedAccounts();
    try (LoginPortal portal = portal(accounts, Duration.ofSeconds(30))) {
      removedRole_closesTheCouncilFeedOnly(portal, accounts);
    }
  }

  /**
   * Carol opens the council feed and the news feed, keeps both through a re-check, loses her council role, and at the
   * next re-check loses the council feed only.
   */
  private static void removedRole_closesTheCouncilFeedOnly(
      LoginPortal portal, ChangedAccounts accounts) throws Exception {
    Browser carol = portal.browser();
    carol.login("carol", "carol-pw", false);
    BrowserSocket council = open(portal, carol, "/feed/council");
    BrowserSocket news = open(portal, carol, "/feed/news");
    connections(portal).recheck();
    assertThat(echo(council, "still allowed")).isEqualTo("echo still allowed");

    accounts.change("u-carol", u -> u.withRoles(Set.of("PROVIDER")));
    connections(portal).recheck();

    assertThat(council.awaitClose()).isEqualTo("1008 Login ended");
    assertThat(echo(news, "news for everyone")).isEqualTo("echo news for everyone");
    assertThat(portal.flushedSink().assertOnce(AuditEventType.CONNECTION_CLOSED).reason())
        .hasValue("access_denied: missing role for this path");
  }

  /**
   * Where the application decides access, its own rule for connections is asked at the re-check, with the path as
   * the upgrade request sent it and the account as it is now; a refusal closes that socket only.
   */
  @Test
  void applicationsConnectionRule_removedRole_closesTheSocketOfItsPath_only() throws Exception {
    ChangedAccounts accounts = new ChangedAccounts();
    List<String> asked = new CopyOnWriteArrayList<>();
    List<ConnectionRequest> requests = new CopyOnWriteArrayList<>();
    ConnectionAccess rule = (request, principal) -> {
      String path = request.pathInContext();
      asked.add(request.contextPath() + "|" + path + "|" + principal.getName());
      requests.add(request);
      return !path.equals("/feed/council") || principal.user().roles().contains("COUNCIL_OFFICER");
    };
    try (LoginPortal portal = portal(
        accounts,
        Duration.ofSeconds(30),
        filter -> filter.accessDecidedByApplication().connectionAccess(rule))) {
      removedRole_closesTheCouncilFeedOnly(portal, accounts);
      assertThat(asked).contains("|/feed/council|u-carol", "|/feed/news|u-carol");
      assertThat(requests)
          .as(
              "the rule reads the opening request as the container answered it, without its credentials")
          .allSatisfy(r -> {
            assertThat(r.header("sec-websocket-version")).isEqualTo("13");
            assertThat(r.headers("Upgrade")).containsExactly("websocket");
            assertThat(r.headers("Cookie")).isEmpty();
            assertThat(r.headerNames()).noneMatch(n -> n.equalsIgnoreCase("cookie"));
            assertThat(r.remoteAddr()).isEqualTo("127.0.0.1");
            assertThat(r.serverPort()).isPositive();
          });
    }
  }

  /** A rule that fails closes the socket, as a request it could not judge would be refused. */
  @Test
  void applicationsConnectionRule_thatThrows_closesTheSocket() throws Exception {
    ChangedAccounts accounts = new ChangedAccounts();
    ConnectionAccess rule = (request, principal) -> {
      throw new IllegalStateException("the rules are not loaded");
    };
    try (LoginPortal portal = portal(
        accounts,
        Duration.ofSeconds(30),
        filter -> filter.accessDecidedByApplication().connectionAccess(rule))) {
      Browser alice = portal.browser();
      BrowserSocket news = newsFeed(portal, alice);
      connections(portal).recheck();
      assertThat(closedReason(portal, news)).hasValue("check failed: IllegalStateException");
    }
  }

  @Test
  void disabledAccount_closesItsSockets_atTheRecheck() throws Exception {
    ChangedAccounts accounts = new ChangedAccounts();
    try (LoginPortal portal = portal(accounts, Duration.ofSeconds(30))) {
      Browser alice = portal.browser();
      BrowserSocket feed = newsFeed(portal, alice);

      accounts.change("u-alice", u -> u.withEnabled(false));
      connections(portal).recheck();

      assertThat(closedReason(portal, feed))
          .hasValueSatisfying(r -> assertThat(r).contains("DISABLED"));
    }
  }

  @Test
  void revisedTermsToAccept_closeTheSocket_atTheRecheck() throws Exception {
    ChangedAccounts accounts = new ChangedAccounts();
    try (LoginPortal portal = portal(accounts, Duration.ofSeconds(30))) {
      Browser alice = portal.browser();
      BrowserSocket feed = newsFeed(portal, alice);

      accounts.change("u-alice", u -> u.withAcceptedTerms("2025-01"));
      connections(portal).recheck();

      assertThat(closedReason(portal, feed)).hasValue("current terms of use not accepted");
    }
  }

  @Test
  void expiredTicket_closesTheSocket_atTheRecheck() throws Exception {
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofSeconds(30))) {
      Browser alice = portal.browser();
      BrowserSocket feed = newsFeed(portal, alice);
      // Requests keep the session alive; the ticket the socket was opened with expires after
      // eight hours all the same.
      for (int i = 0; i < 8 * 3; i++) {
        portal.clock.advance(Duration.ofMinutes(20));
        alice.get("/whoami");
      }
      portal.clock.advance(Duration.ofMinutes(1));

      connections(portal).recheck();

      assertThat(closedReason(portal, feed)).hasValue("session_expired: auth ticket expired");
    }
  }

  @Test
  void recheck_doesNotKeepTheSessionAlive_pastItsIdleTimeout() throws Exception {
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofSeconds(30))) {
      Browser alice = portal.browser();
      BrowserSocket feed = newsFeed(portal, alice);
      portal.clock.advance(Duration.ofMinutes(20));
      connections(portal).recheck();
      assertThat(echo(feed, "twenty minutes in")).isEqualTo("echo twenty minutes in");

      // Thirty-one minutes without a request: past the idle timeout, whatever the re-checks did.
      portal.clock.advance(Duration.ofMinutes(11));
      connections(portal).recheck();

      assertThat(feed.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(alice.get("/whoami").statusCode()).as("the session ended").isEqualTo(303);
    }
  }

  @Test
  void socketTheClientCloses_isForgotten() throws Exception {
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofSeconds(30))) {
      Browser alice = portal.browser();
      alice.login("alice", "alice-pw", false);
      BrowserSocket first = open(portal, alice, "/feed/news");
      BrowserSocket second = open(portal, alice, "/feed/news");
      assertThat(connections(portal).size()).isEqualTo(2);

      first.socket().sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(first.awaitClose()).startsWith("1000");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (connections(portal).size() > 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }

      assertThat(connections(portal).size()).isEqualTo(1);
      assertThat(echo(second, "left open")).isEqualTo("echo left open");
    }
  }

  @Test
  void theScheduledRecheck_closesASocketWhoseTicketWasRevokedElsewhere() throws Exception {
    try (LoginPortal portal = portal(new ChangedAccounts(), Duration.ofSeconds(1))) {
      Browser alice = portal.browser();
      BrowserSocket feed = newsFeed(portal, alice);

      // Another node's "log out everywhere", through the revocation store they share.
      portal.revocations.revokeAllIssuedBefore(
          "u-alice",
          portal.clock.instant().plusSeconds(1),
          portal.clock.instant().plus(Duration.ofHours(9)));

      assertThat(feed.awaitClose()).isEqualTo("1008 Login ended");
      assertThat(connections(portal).size()).isZero();
      assertThat(
              portal.flushedSink().assertOnce(AuditEventType.CONNECTION_CLOSED).reason())
          .hasValue("authn_token_reuse: revoked auth ticket presented");
    }
  }

  // --- the portal --------------------------------------------------------------------------

  /** {@code alice} logs in with her password and opens the news feed. */
  private static BrowserSocket newsFeed(LoginPortal portal, Browser alice) throws Exception {
    alice.login("alice", "alice-pw", false);
    return open(portal, alice, "/feed/news");
  }

  /**
   * Waits for {@code socket} to be closed as a login that ended closes it; the reason of the one {@code
   * connection_closed} audited.
   */
  private static Optional<String> closedReason(LoginPortal portal, BrowserSocket socket)
      throws Exception {
    assertThat(socket.awaitClose()).isEqualTo("1008 Login ended");
    return portal.flushedSink().assertOnce(AuditEventType.CONNECTION_CLOSED).reason();
  }

  private static OpenConnections connections(LoginPortal portal) {
    return portal.filter.openConnections().orElseThrow();
  }

  /**
   * The test portal with a WebSocket servlet at {@code /feed/*}: {@code /feed/council} for council officers, the rest
   * for anyone logged in; its accounts in {@code accounts}.
   */
  private static LoginPortal portal(ChangedAccounts accounts, Duration recheckInterval)
      throws Exception {
    return portal(
        accounts,
        recheckInterval,
        filter -> filter.access(
            AccessPolicy.builder()
                .permitAll("/login", "/terms")
                .requireAnyRole("/feed/council", "COUNCIL_OFFICER")
                .authenticated("/**")
                .build(),
            "/login"));
  }

  /** As {@link #portal(ChangedAccounts, Duration)}, with who may see which path set by {@code access}. */
  private static LoginPortal portal(
      ChangedAccounts accounts, Duration recheckInterval, Consumer<PortcullisFilter.Builder> access)
      throws Exception {
    return portal(accounts, recheckInterval, access, login -> {});
  }

  /** As {@link #portal(ChangedAccounts, Duration, Consumer)}, with more login settings from {@code more}. */
  private static LoginPortal portal(
      ChangedAccounts accounts,
      Duration recheckInterval,
      Consumer<PortcullisFilter.Builder> access,
      Consumer<PortalLogin.Builder> more)
      throws Exception {
    return LoginPortal.withContext(
        (p, filter) -> {
          PortalLogin.Builder login = accounts.login(p).connectionRecheckInterval(recheckInterval);
          more.accept(login);
          filter.login(login.build(), p.random);
          access.accept(filter);
        },
        OpenWebSocketsEndWithTheirLoginTest::addFeed);
  }

  private static void addFeed(ServletContextHandler context) {
    JettyWebSocketServletContainerInitializer.configure(context, null);
    context.addServlet(new ServletHolder(new FeedSocket.Servlet()), "/feed/*");
  }

  /** Another node: its own filter over the first one's stores, key ring and accounts. */
  private static TestJetty secondNode(LoginPortal portal) throws Exception {
    PortalLogin login = PortalLogin.builder()
        .keyRing(portal.ring)
        .users(portal.users)
        .revocations(portal.revocations)
        .clock(portal.clock)
        .random(portal.random)
        .termsVersion(LoginPortal.TERMS)
        .ticketLifetime(Duration.ofHours(8))
        .build();
    PortcullisFilter filter = PortcullisFilter.builder()
        .transport(TransportConfig.builder().developmentMode(true).build())
        .sessions(SessionRegistry.create(
            portal.sessionConfig,
            portal.sessionStore,
            portal.random,
            portal.clock,
            SessionListener.noop()))
        .login(login, portal.random)
        .accessDecidedByApplication()
        .build();
    TestJetty jetty = TestJetty.builder().open();
    jetty.context("/").filter(filter).servlet(new LoginPortal.Pages());
    jetty.start();
    return jetty;
  }

  /** The browser's side, opened with the browser's cookies once the server has greeted it. */
  private static BrowserSocket open(LoginPortal portal, Browser browser, String path)
      throws Exception {
    return open(portal, browser, path, null);
  }

  /** As a browser on {@code origin} would open it (none: a client that sends no {@code Origin}). */
  private static BrowserSocket open(LoginPortal portal, Browser browser, String path, String origin)
      throws Exception {
    URI uri = URI.create(portal.base.replaceFirst("^http", "ws").replaceFirst("/$", "") + path);
    Map<String, String> headers = origin == null
        ? Map.of("Cookie", browser.cookieHeader())
        : Map.of("Cookie", browser.cookieHeader(), "Origin", origin);
    return BrowserSocket.openGreeted(uri, headers, WAIT);
  }

  /** Sends {@code text} and returns the server's answer, skipping its greeting. */
  private static String echo(BrowserSocket client, String text) throws Exception {
    client.socket().sendText(text, true).get(WAIT_SECONDS, TimeUnit.SECONDS);
    String m;
    do {
      m = client.nextMessage();
    } while (m.startsWith("hello "));
    return m;
  }
}
