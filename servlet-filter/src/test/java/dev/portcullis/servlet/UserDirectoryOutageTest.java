package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A user directory that stops answering (its database is down) while users are logged in, through the real filter
 * on a real Jetty: their requests are anonymous meanwhile, fail closed, but the auth cookie stays, so that they are
 * logged in again as soon as the directory answers, as with a session or revocation store outage.
 */
class UserDirectoryOutageTest {

  @Test
  void aDirectoryOutage_makesRequestsAnonymous_butKeepsTheLogin_forWhenItAnswersAgain()
      throws Exception {
    AtomicBoolean down = new AtomicBoolean();
    try (LoginPortal portal = new LoginPortal((p, filter) -> filter.login(
        PortalLogin.builder()
            .keyRing(p.ring)
            .users(failingLookups(p.users, down))
            .revocations(p.revocations)
            .clock(p.clock)
            .random(p.random)
            .termsVersion(LoginPortal.TERMS)
            .ticketLifetime(Duration.ofHours(8))
            .build(),
        p.random))) {
      Browser alice = portal.browser();
      alice.openLoginPage();
      assertThat(alice.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(alice.whoami()).isEqualTo("u-alice");

      down.set(true);
      HttpResponse<String> during = alice.get("/whoami");
      assertThat(during.body())
          .as("fail closed while the directory is down")
          .startsWith("anonymous");
      assertThat(during.headers().allValues("Set-Cookie"))
          .as("no cookie is expired for an outage")
          .noneSatisfy(c -> assertThat(c).containsIgnoringCase("Max-Age=0"));

      down.set(false);
      assertThat(alice.whoami()).as("logged in again once it answers").isEqualTo("u-alice");

      AuditEvent event = portal.flushedSink().assertOnce(AuditEventType.AUTHN_TOKEN_INVALID);
      assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(event.reason())
          .hasValue(
              "user directory unavailable: " + StoreUnavailableException.class.getSimpleName());
      assertThat(event.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
    }
  }

  /** {@code users}, whose lookups by handle throw while {@code down} is set; logins still work. */
  private static UserDirectory failingLookups(UserDirectory users, AtomicBoolean down) {
    return new UserDirectory() {
      @Override
      public Optional<PortalUser> authenticate(String username, char[] password) {
        return users.authenticate(username, password);
      }

      @Override
      public Optional<PortalUser> findByHandle(String handle) {
        if (down.get()) {
          throw new StoreUnavailableException("user directory unavailable (test)", null);
        }
        return users.findByHandle(handle);
      }

      @Override
      public void recordTermsAcceptance(String handle, String version) {
        users.recordTermsAcceptance(handle, version);
      }
    };
  }
}
