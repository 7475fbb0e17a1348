package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.user.UserDirectory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A session bound to a user at login is given only to a request authenticated as that user: a request whose auth
 * cookie is missing, expired or refused is anonymous and gets no session, whatever the application kept in it for the
 * user. Through the real filter on a real Jetty; the {@code /note} page shows a value kept in the session.
 */
class BoundSessionOnlyForItsUserTest {

  @Test
  void expiredTicket_withTheSessionStillAlive_getsNoneOfTheUsersSessionState() throws Exception {
    try (LoginPortal portal = LoginPortal.withSessions(
        LoginPortal.sessions()
            .idleTimeout(Duration.ofHours(10))
            .absoluteTimeout(Duration.ofHours(12))
            .build(),
        dev.portcullis.audit.AuditSink.noop())) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.get("/note?set=alice-draft").body()).isEqualTo("note=alice-draft");

      portal.clock.advance(Duration.ofHours(8).plusMinutes(1));

      assertThat(tab.get("/note").body())
          .as("the ticket has expired: the request is anonymous, and so is its session")
          .isEqualTo("note=none");
      assertThat(tab.whoami()).isEqualTo("anonymous");
      assertThat(portal.sessionStore.findByUser("u-alice"))
          .as("the session of an expired ticket ends at once")
          .isEmpty();
      assertThat(tab.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(tab.whoami()).isEqualTo("u-alice");
    }
  }

  @Test
  void disabledAccount_leavesNoSessionStateToTheBrowser_andTheSessionEnds() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.get("/note?set=alice-draft").body()).isEqualTo("note=alice-draft");

      portal.users.update("u-alice", u -> u.withEnabled(false));

      var refused = tab.get("/note");
      assertThat(refused.body()).isEqualTo("note=none");
      assertThat(refused.body()).doesNotContain("bound");
      assertThat(portal.sessionStore.findByUser("u-alice")).isEmpty();
      AuditEvent hidden = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.SESSION_REVOKED, e -> e.reason().orElse("").contains("bound session"));
      assertThat(hidden.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    }
  }

  @Test
  void removedAccount_leavesNoSessionStateToTheBrowser() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.get("/note?set=alice-draft").body()).isEqualTo("note=alice-draft");

      assertThat(portal.users.remove("u-alice")).isTrue();

      assertThat(tab.get("/note").body()).isEqualTo("note=none");
      assertThat(portal.sessionStore.findByUser("u-alice")).isEmpty();
    }
  }

  @Test
  void sessionCookieWithoutTheAuthCookie_getsNoSession_andANewOneIfItAsks() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser user = portal.browser();
      user.login("alice", "alice-pw", false);
      assertThat(user.get("/note?set=alice-draft").body()).isEqualTo("note=alice-draft");
      String sessionCookie = portal.sessionConfig.cookie().name();
      String stolen = user.cookies().get(sessionCookie);
      assertThat(stolen).isNotNull();

      Browser thief = portal.browser();
      thief.cookies().put(sessionCookie, stolen);
      var seen = thief.get("/note");
      assertThat(seen.body()).isEqualTo("note=none");
      assertThat(thief.get("/note?set=thief").body()).isEqualTo("note=thief");
      assertThat(thief.cookies().get(sessionCookie))
          .as("a new anonymous session, with a new cookie")
          .isNotNull()
          .isNotEqualTo(stolen);
      assertThat(portal.flushedSink().events())
          .filteredOn(e -> e.type() == AuditEventType.AUTHN_TOKEN_INVALID
              && e.reason().orElse("").contains("bound session withheld"))
          .as("each request that presented the session without its user's ticket")
          .hasSize(2)
          .allSatisfy(
              e -> assertThat(e.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice"));

      assertThat(user.get("/note").body())
          .as("the user, with both cookies, keeps the session")
          .isEqualTo("note=alice-draft");
      assertThat(user.whoami()).isEqualTo("u-alice");
    }
  }

  @Test
  void logout_afterAnotherBrowserPresentedTheSessionCookie_stillEndsTheBoundSession()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.get("/note?set=alice-draft").body()).isEqualTo("note=alice-draft");
      String sessionCookie = portal.sessionConfig.cookie().name();
      String authCookie = portal.login.cookies().authCookie().name();
      String session = tab.cookies().get(sessionCookie);

      Browser other = portal.browser();
      other.cookies().put(sessionCookie, session);
      assertThat(other.whoami()).isEqualTo("anonymous");

      assertThat(tab.cookies()).containsKey(authCookie);
      assertThat(tab.get("/note").body()).isEqualTo("note=alice-draft");
      assertThat(tab.logout().statusCode()).isLessThan(400);
      assertThat(portal.sessionStore.findByUser("u-alice")).isEmpty();
      assertThat(tab.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(tab.get("/note").body()).isEqualTo("note=none");
    }
  }

  @Test
  void directoryOutage_withholdsTheBoundSession_butKeepsItAndItsCookie_forWhenItAnswers()
      throws Exception {
    AtomicReference<StoreOutage<UserDirectory>> directory = new AtomicReference<>();
    try (LoginPortal portal = new LoginPortal((p, filter) -> {
      directory.set(StoreOutage.of(UserDirectory.class, p.users));
      filter.login(
          PortalLogin.builder()
              .keyRing(p.ring)
              .users(directory.get().store())
              .revocations(p.revocations)
              .clock(p.clock)
              .random(p.random)
              .termsVersion(LoginPortal.TERMS)
              .ticketLifetime(Duration.ofHours(8))
              .build(),
          p.random);
    })) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.get("/note?set=alice-draft").body()).isEqualTo("note=alice-draft");
      String before = tab.cookies().toString();

      directory.get().fail("findByHandle");
      var during = tab.get("/note");
      assertThat(during.body())
          .as("fail closed: no session while unchecked")
          .isEqualTo("note=none");
      assertThat(during.headers().allValues("Set-Cookie"))
          .as("no cookie is expired for an outage")
          .isEmpty();
      assertThat(tab.cookies().toString()).isEqualTo(before);
      assertThat(portal.sessionStore.findByUser("u-alice")).isNotEmpty();

      directory.get().end();
      assertThat(tab.get("/note").body()).isEqualTo("note=alice-draft");
      assertThat(tab.whoami()).isEqualTo("u-alice");
    }
  }
}
