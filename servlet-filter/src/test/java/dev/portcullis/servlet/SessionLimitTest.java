package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SessionLimit;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-user limit of concurrent sessions, through the real login POST on a real Jetty. */
class SessionLimitTest {

  private static LoginPortal portal(int max, SessionLimit whenExceeded) throws Exception {
    return new LoginPortal((portal, filter) -> filter.login(
        PortalLogin.builder()
            .keyRing(portal.ring)
            .users(portal.users)
            .revocations(portal.revocations)
            .clock(portal.clock)
            .random(portal.random)
            .termsVersion(LoginPortal.TERMS)
            .maxSessionsPerUser(max, whenExceeded)
            .build(),
        portal.random));
  }

  @Test
  void endOldest_theThirdLoginEndsTheFirstSession_andIsAudited() throws Exception {
    try (LoginPortal portal = portal(2, SessionLimit.END_OLDEST)) {
      Browser first = portal.browser();
      first.login("alice", "alice-pw", false);
      portal.clock.advance(Duration.ofMinutes(1));
      Browser second = portal.browser();
      second.login("alice", "alice-pw", false);
      portal.clock.advance(Duration.ofMinutes(1));
      Browser bob = portal.browser();
      bob.login("bob", "bob-pw", false);
      Browser third = portal.browser();
      HttpResponse<String> r = third.login("alice", "alice-pw", false);
      assertThat(r.headers().firstValue("Location")).hasValue("/");

      assertThat(first.whoami()).as("the oldest session ended").isEqualTo("anonymous");
      assertThat(second.whoami()).isEqualTo("u-alice");
      assertThat(third.whoami()).isEqualTo("u-alice");
      assertThat(bob.whoami()).as("another user's sessions do not count").isEqualTo("u-bob");
      AuditEvent e = portal.flushedSink().assertOnce(AuditEventType.SESSION_LIMIT_ENDED);
      assertThat(e.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
      assertThat(e.reason()).hasValueSatisfying(reason -> assertThat(reason).contains("ended 1"));
    }
  }

  @Test
  void refuseNew_theThirdLoginIsRefusedGenerically_andTheOthersStay() throws Exception {
    try (LoginPortal portal = portal(2, SessionLimit.REFUSE_NEW)) {
      Browser first = portal.browser();
      first.login("alice", "alice-pw", false);
      Browser second = portal.browser();
      second.login("alice", "alice-pw", false);
      Browser third = portal.browser();
      HttpResponse<String> r = third.login("alice", "alice-pw", false);
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Location"))
          .as("the same answer as a wrong password")
          .hasValue("/login?error=1");
      assertThat(third.whoami()).isEqualTo("anonymous");
      assertThat(first.whoami()).isEqualTo("u-alice");
      assertThat(second.whoami()).isEqualTo("u-alice");
      AuditEvent e = portal.flushedSink().assertOnce(AuditEventType.SESSION_LIMIT_REFUSED);
      assertThat(e.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
      assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);

      // Once a session ends, there is room again.
      first.logout();
      assertThat(third.login("alice", "alice-pw", false).headers().firstValue("Location"))
          .hasValue("/");
      assertThat(third.whoami()).isEqualTo("u-alice");
    }
  }

  @Test
  void aLoginAgainInTheSameBrowser_doesNotCountItsOwnSession() throws Exception {
    try (LoginPortal portal = portal(1, SessionLimit.REFUSE_NEW)) {
      Browser b = portal.browser();
      b.login("alice", "alice-pw", false);
      assertThat(b.whoami()).isEqualTo("u-alice");
      assertThat(portal.flushedSink().events())
          .noneMatch(e -> e.type().equals(AuditEventType.SESSION_LIMIT_REFUSED));
    }
  }
}
