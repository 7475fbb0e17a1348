package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.login.LoginCookies;
import dev.portcullis.session.SessionConfig;
import dev.portcullis.session.SessionRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code request.changeSessionId()} on a logged-in request (an application rotating the id after a privilege change,
 * as Spring Security's {@code ChangeSessionIdAuthenticationStrategy} does) keeps the user logged in: the response
 * carries the new session cookie and an auth cookie bound to the new id, and the old id opens nothing. Through the real
 * filter on a real Jetty; {@code /change-session-id} is the application's page that calls it.
 */
class ChangeSessionIdWhileLoggedInTest {
  private static final String SID = SessionConfig.DEFAULT_COOKIE_NAME;
  private static final String AUTH = LoginCookies.DEFAULT_AUTH_COOKIE;

  @Test
  void changeSessionId_whileLoggedIn_keepsTheLoginAndTheSession_underNewCookies() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      assertThat(tab.get("/note?set=alice-draft").body()).isEqualTo("note=alice-draft");
      Map<String, String> before = Map.copyOf(tab.cookies());

      HttpResponse<String> changed = tab.get("/change-session-id");

      assertThat(changed.body()).isEqualTo("changed u-alice");
      assertThat(names(changed)).containsExactlyInAnyOrder(SID, AUTH);
      assertThat(tab.cookies().get(SID)).isNotEqualTo(before.get(SID));
      assertThat(tab.cookies().get(AUTH)).isNotEqualTo(before.get(AUTH));
      assertThat(tab.whoami()).isEqualTo("u-alice");
      assertThat(tab.get("/note").body()).isEqualTo("note=alice-draft");
    }
  }

  @Test
  void theOldPair_isAnonymous_andDoesNotEndTheNewOne() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      tab.get("/note?set=alice-draft");
      Map<String, String> old = Map.copyOf(tab.cookies());

      tab.get("/change-session-id");

      Browser copy = portal.browser();
      copy.cookies().putAll(old);
      assertThat(copy.whoami()).isEqualTo("anonymous");
      assertThat(copy.get("/note").body()).isEqualTo("note=none");
      assertThat(tab.whoami()).isEqualTo("u-alice");
      assertThat(tab.get("/note").body()).isEqualTo("note=alice-draft");
    }
  }

  @Test
  void aRequestSentWithTheOldPairBeforeTheChangeArrived_leavesTheBrowsersCookiesAlone()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      Map<String, String> old = Map.copyOf(tab.cookies());

      tab.get("/change-session-id");
      // The same browser's request, sent with the old pair before the change's answer arrived and
      // answered after it.
      Browser inFlight = portal.browser();
      inFlight.cookies().putAll(old);
      HttpResponse<String> late = inFlight.get("/whoami");

      assertThat(late.body()).isEqualTo("anonymous");
      assertThat(late.headers().allValues("Set-Cookie"))
          .as("an answer that removed the cookies would remove the browser's new pair")
          .isEmpty();
      assertThat(tab.whoami()).isEqualTo("u-alice");

      portal.clock.advance(SessionRegistry.MOVED_ID_MEMORY.plusSeconds(1));

      assertThat(names(inFlight.get("/whoami")))
          .as("later, the old pair is removed as any dead pair is")
          .contains(SID, AUTH);
    }
  }

  @Test
  void theOldAuthCookie_withTheNewSessionCookie_isAnonymous() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      String oldAuth = tab.cookies().get(AUTH);

      tab.get("/change-session-id");

      Browser mixed = portal.browser();
      mixed.cookies().put(SID, tab.cookies().get(SID));
      mixed.cookies().put(AUTH, oldAuth);
      assertThat(mixed.whoami()).isEqualTo("anonymous");
    }
  }

  @Test
  void theNewAuthCookie_hasTheLoginsAttributes() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      HttpResponse<String> login = tab.login("alice", "alice-pw", false);

      HttpResponse<String> changed = tab.get("/change-session-id");

      assertThat(attributes(changed, AUTH)).isEqualTo(attributes(login, AUTH));
      assertThat(attributes(changed, SID)).isEqualTo(attributes(login, SID));
    }
  }

  @Test
  void changingTheId_neverMakesTheLoginLastLonger() throws Exception {
    try (LoginPortal portal = LoginPortal.withSessions(
        LoginPortal.sessions()
            .idleTimeout(Duration.ofHours(10))
            .absoluteTimeout(Duration.ofHours(12))
            .build(),
        AuditSink.noop())) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      // Before the ticket's half life (8 hours in this portal), so no renewal takes part.
      portal.clock.advance(Duration.ofHours(3));
      assertThat(tab.get("/change-session-id").body()).isEqualTo("changed u-alice");

      portal.clock.advance(Duration.ofHours(5).plusMinutes(1));

      assertThat(tab.whoami())
          .as("the re-issued ticket expires when the login's own did")
          .isEqualTo("anonymous");
    }
  }

  @Test
  void changingTheIdTwice_sendsOneCookieOfEach_forTheLastId() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);

      HttpResponse<String> changed = tab.get("/change-session-id?twice=1");

      assertThat(changed.body()).isEqualTo("changed u-alice");
      assertThat(names(changed)).containsExactlyInAnyOrder(SID, AUTH);
      assertThat(tab.whoami()).isEqualTo("u-alice");
    }
  }

  @Test
  void changingTheIdPastHalfLife_sendsOneAuthCookie_thatKeepsTheLogin() throws Exception {
    try (LoginPortal portal = LoginPortal.withSessions(
        LoginPortal.sessions()
            .idleTimeout(Duration.ofHours(10))
            .absoluteTimeout(Duration.ofHours(12))
            .build(),
        AuditSink.noop())) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      // Past half the ticket's life: the request's ticket is renewed as well.
      portal.clock.advance(Duration.ofHours(5));

      HttpResponse<String> changed = tab.get("/change-session-id");

      assertThat(changed.body()).isEqualTo("changed u-alice");
      assertThat(names(changed)).containsExactlyInAnyOrder(SID, AUTH);
      assertThat(tab.whoami()).isEqualTo("u-alice");
    }
  }

  @Test
  void changeSessionId_afterTheResponseCommitted_isRefused_andTheBrowserKeepsAWorkingPair()
      throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      Map<String, String> before = Map.copyOf(tab.cookies());

      HttpResponse<String> late = tab.get("/change-session-id?after-commit=1");

      assertThat(late.body()).startsWith("refused: ").contains("committed");
      assertThat(late.headers().allValues("Set-Cookie")).isEmpty();
      assertThat(tab.cookies()).isEqualTo(before);
      assertThat(tab.whoami()).isEqualTo("u-alice");
    }
  }

  @Test
  void aSessionMadeAfterTheLoggedInOneWasInvalidated_doesNotTakeTheLogin() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);

      HttpResponse<String> changed = tab.get("/change-session-id?fresh=1");

      assertThat(names(changed)).containsExactly(SID);
      assertThat(tab.whoami()).isEqualTo("anonymous");
    }
  }

  @Test
  void anonymousSession_changesItsIdAsBefore_withoutAnAuthCookie() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser visitor = portal.browser();
      visitor.get("/note?set=draft");
      String before = visitor.cookies().get(SID);

      HttpResponse<String> changed = visitor.get("/change-session-id");

      assertThat(changed.body()).isEqualTo("changed anonymous");
      assertThat(names(changed)).containsExactly(SID);
      assertThat(visitor.cookies().get(SID)).isNotEqualTo(before);
      assertThat(visitor.get("/note").body()).isEqualTo("note=draft");
    }
  }

  @Test
  void changeSessionId_withoutASession_isRefused() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      HttpResponse<String> r = portal.browser().get("/change-session-id");

      assertThat(r.body()).isEqualTo("refused: there is no session to change the id of");
    }
  }

  @Test
  void theChange_isAudited_withTheUser_andNoIdOrCookieValue() throws Exception {
    try (LoginPortal portal = new LoginPortal()) {
      Browser tab = portal.browser();
      tab.login("alice", "alice-pw", false);
      Map<String, String> before = Map.copyOf(tab.cookies());

      tab.get("/change-session-id");

      AuditEvent event = portal
          .flushedSink()
          .assertOnce(
              AuditEventType.SESSION_RENEWED,
              e -> e.reason().orElse("").contains("changed by the application"));
      assertThat(event.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
      assertThat(event.resource()).hasValue("/change-session-id");
      for (String value : List.of(
          before.get(SID),
          before.get(AUTH),
          tab.cookies().get(SID),
          tab.cookies().get(AUTH))) {
        assertThat(event.toString()).doesNotContain(value);
      }
    }
  }

  /** The names of the cookies {@code r} sets, in order. */
  private static List<String> names(HttpResponse<String> r) {
    return r.headers().allValues("Set-Cookie").stream()
        .map(c -> c.substring(0, c.indexOf('=')))
        .toList();
  }

  /** What follows the value in {@code r}'s one {@code Set-Cookie} for {@code name}. */
  private static String attributes(HttpResponse<String> r, String name) {
    List<String> set = r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(name + "="))
        .toList();
    assertThat(set).hasSize(1);
    String header = set.get(0);
    int semicolon = header.indexOf(';');
    return semicolon < 0 ? "" : header.substring(semicolon);
  }
}
