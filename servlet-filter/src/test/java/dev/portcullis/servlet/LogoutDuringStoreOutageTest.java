package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.login.PendingLogouts;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A logout while the session store or the revocation store does not answer, through the real filter on a real Jetty.
 * Before, the browser's cookies were expired but nothing was ended on the server: a copy of the auth and session
 * cookies logged the user in again as soon as the store answered, until the session timed out. Now the logout is kept
 * as pending and finished in the background once the store answers, and until then this node refuses the ticket.
 */
class LogoutDuringStoreOutageTest {
  private final Outage outage = new Outage();
  /** The login portal over stores {@link #outage} makes fail; null once a test has closed it. */
  private LoginPortal portal;
  /** Alice, logged in while the stores answer. */
  private Browser alice;
  /** The CSRF token of Alice's pages. */
  private String token;

  @BeforeEach
  void aliceLoggedIn() throws Exception {
    portal = portal(outage);
    alice = loggedInAsAlice(portal.browser());
    token = alice.pageCsrf();
  }

  @AfterEach
  void closePortal() throws Exception {
    if (portal != null) {
      portal.close();
    }
  }

  private static Browser loggedInAsAlice(Browser browser) throws Exception {
    browser.openLoginPage();
    assertThat(browser.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
    return browser;
  }

  @Test
  void logoutWhileTheStoresAreDown_endsTheSessionAndTicket_onceTheyAnswer() throws Exception {
    Map<String, String> copied = Map.copyOf(alice.cookies());

    outage.sessions.set(true);
    outage.revocations.set(true);
    HttpResponse<String> out = alice.post("/logout", Map.of("_csrf", token));
    assertThat(out.statusCode()).as("logged out in the browser").isEqualTo(303);
    assertThat(out.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).containsIgnoringCase("Max-Age=0"));
    AuditEvent failed = portal.flushedSink().assertOnce(AuditEventType.LOGOUT);
    assertThat(failed.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(failed.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    portal.clock.advance(Duration.ofMillis(700));
    assertThat(portal.filter.pendingLogouts())
        .as("what the health check and the meters read")
        .hasValue(new PendingLogouts.Stats(
            1, 0, PendingLogouts.DEFAULT_CAPACITY, Duration.ofMillis(700)));

    outage.sessions.set(false);
    outage.revocations.set(false);
    Browser thief = portal.browser();
    thief.cookies().putAll(copied);
    assertThat(thief.whoami())
        .as("the store answers again, but the logout is not finished: still refused")
        .isEqualTo("anonymous");

    thief.cookies().putAll(copied);
    portal.clock.advance(Duration.ofSeconds(2));
    AuditEvent completed = awaitCompletion(portal, AuditEventType.LOGOUT);
    assertThat(completed.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    assertThat(completed.action()).hasValue("logout");
    assertThat(outage.revoked).as("the ticket is revoked in the store").hasSize(1);
    assertThat(portal.sessionStore.findByUser("u-alice"))
        .as("the session is deleted from the store")
        .isEmpty();
    assertThat(thief.whoami()).as("the copied cookies log nobody in").isEqualTo("anonymous");
    assertThat(portal.filter.pendingLogouts())
        .hasValue(new PendingLogouts.Stats(0, 0, PendingLogouts.DEFAULT_CAPACITY, Duration.ZERO));
    assertThat(failed.reason())
        .hasValueSatisfying(
            r -> assertThat(r).startsWith("session store unavailable").contains("pending"));
  }

  @Test
  void logoutWhileOnlyTheRevocationStoreIsDown_isNotAnError_andRevokesOnceItAnswers()
      throws Exception {
    assertThat(alice.whoami()).isEqualTo("u-alice");
    Map<String, String> copied = Map.copyOf(alice.cookies());

    outage.failRevokes.set(true);
    HttpResponse<String> out = alice.post("/logout", Map.of("_csrf", token));
    assertThat(out.statusCode()).as("never a 500").isEqualTo(303);
    AuditEvent failed = portal.flushedSink().assertOnce(AuditEventType.LOGOUT);
    assertThat(failed.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);

    outage.failRevokes.set(false);
    portal.clock.advance(Duration.ofSeconds(2));
    awaitCompletion(portal, AuditEventType.LOGOUT);
    assertThat(outage.revoked).as("the ticket is revoked in the store").hasSize(1);
    Browser thief = portal.browser();
    thief.cookies().putAll(copied);
    assertThat(thief.whoami()).isEqualTo("anonymous");
    assertThat(failed.reason())
        .hasValueSatisfying(
            r -> assertThat(r).startsWith("revocation store failed").contains("pending"));
  }

  @Test
  void logoutWhileTheRevocationStoreCannotCheckTheTicket_isRecordedWithItsUser_andFinishedLater()
      throws Exception {
    outage.revocations.set(true);
    assertThat(alice.post("/logout", Map.of("_csrf", token)).statusCode()).isEqualTo(303);
    outage.revocations.set(false);
    portal.clock.advance(Duration.ofSeconds(2));

    AuditEvent completed = awaitCompletion(portal, AuditEventType.LOGOUT);
    assertThat(completed.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    assertThat(outage.revoked).as("the ticket is revoked in the store").hasSize(1);
    AuditEvent failed = portal.sink.assertOnce(
        AuditEventType.LOGOUT, e -> e.outcome() == AuditEvent.Outcome.FAILURE);
    assertThat(failed.reason())
        .hasValueSatisfying(r -> assertThat(r).startsWith("revocation store unavailable"));
  }

  @Test
  void logoutEverywhereWhileTheStoresAreDown_endsTheUsersOtherSessions_onceTheyAnswer()
      throws Exception {
    Browser laptop = alice;
    Browser phone = loggedInAsAlice(portal.browser());

    outage.sessions.set(true);
    outage.revocations.set(true);
    assertThat(laptop.post("/logout-everywhere", Map.of("_csrf", token)).statusCode())
        .isEqualTo(303);
    outage.sessions.set(false);
    outage.revocations.set(false);
    assertThat(phone.whoami())
        .as("the user's other ticket is refused while the logout is pending")
        .isEqualTo("anonymous");

    portal.clock.advance(Duration.ofSeconds(2));
    AuditEvent completed = awaitCompletion(portal, AuditEventType.SESSION_REVOKED);
    assertThat(completed.action()).hasValue("logout_everywhere");
    assertThat(portal.sessionStore.findByUser("u-alice"))
        .as("every session of the user deleted")
        .isEmpty();
  }

  @Test
  void filterShutdown_withTheStoreStillDown_auditsTheUnfinishedLogout() throws Exception {
    outage.sessions.set(true);
    outage.revocations.set(true);
    assertThat(alice.post("/logout", Map.of("_csrf", token)).statusCode()).isEqualTo(303);
    portal.flushedSink();
    LoginPortal closed = portal;
    portal = null;
    closed.close();

    List<AuditEvent> logouts = closed.sink.events().stream()
        .filter(e -> e.type().equals(AuditEventType.LOGOUT))
        .toList();
    assertThat(logouts).hasSize(2);
    assertThat(logouts.get(1).outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(logouts.get(1).reason())
        .hasValueSatisfying(r -> assertThat(r).startsWith("pending logout not finished"));
    assertThat(logouts.get(1).actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
  }

  /** Waits (the retry runs on its own thread) for the successful event of a finished pending logout. */
  private static AuditEvent awaitCompletion(LoginPortal portal, AuditEventType type)
      throws InterruptedException {
    Predicate<AuditEvent> completed = e -> e.type().equals(type)
        && e.outcome() == AuditEvent.Outcome.SUCCESS
        && e.reason().filter("completed after the store answered again"::equals).isPresent();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      if (portal.flushedSink().events().stream().anyMatch(completed)) {
        return portal.sink.assertOnce(type, completed);
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no completed " + type.name() + " within 15 seconds: " + portal.sink.events());
  }

  /** Which stores fail: every call of the session store or revocation store, or only revocations. */
  private static final class Outage {
    final AtomicBoolean sessions = new AtomicBoolean();
    final AtomicBoolean revocations = new AtomicBoolean();
    final AtomicBoolean failRevokes = new AtomicBoolean();
    /** The ticket ids the revocation store has revoked. */
    final List<Object> revoked = new CopyOnWriteArrayList<>();
  }

  /** The login portal over its own stores, wrapped so that {@code outage} can make them fail. */
  private static LoginPortal portal(Outage outage) throws Exception {
    return new LoginPortal((p, filter) -> {
      SessionStore sessions =
          failing(SessionStore.class, p.sessionStore, m -> outage.sessions.get(), (m, args) -> {});
      RevocationStore revocations = failing(
          RevocationStore.class,
          p.revocations,
          m -> outage.revocations.get() || (outage.failRevokes.get() && m.startsWith("revoke")),
          (m, args) -> {
            if (m.equals("revoke")) {
              outage.revoked.add(args[0]);
            }
          });
      PortalLogin login = PortalLogin.builder()
          .keyRing(p.ring)
          .users(p.users)
          .revocations(revocations)
          .clock(p.clock)
          .random(p.random)
          .termsVersion(LoginPortal.TERMS)
          .ticketLifetime(Duration.ofHours(8))
          .build();
      filter
          .sessions(SessionRegistry.create(
              p.sessionConfig, sessions, p.random, p.clock, new SessionAudit(p.audit)))
          .login(login, p.random);
    });
  }

  /**
   * {@code store}, whose calls throw while {@code fails} says so for the method's name; {@code answered} hears the
   * calls it answered.
   */
  private static <T> T failing(
      Class<T> type, T store, Predicate<String> fails, BiConsumer<String, Object[]> answered) {
    return type.cast(Proxy.newProxyInstance(
        type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
          if (!m.isDefault() && fails.test(m.getName())) {
            throw new StoreUnavailableException("store down (test)", null);
          }
          try {
            Object result = m.invoke(store, args);
            answered.accept(m.getName(), args);
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        }));
  }
}
