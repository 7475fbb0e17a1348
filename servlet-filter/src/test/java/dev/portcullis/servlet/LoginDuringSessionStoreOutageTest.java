package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.SessionAudit;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.session.SessionStore;
import io.micrometer.observation.ObservationRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression: a password login whose new session the session store could not save or rotate (a database or Redis
 * outage between the password check and the answer) was answered like a wrong password, {@code 303} to
 * {@code /login?error=1}, although the visitor did nothing wrong. Through the real filter on a real Jetty it is now
 * answered as the directory's outage is: the plain {@code 503}, no cookie for the login that did not happen, a failed
 * login in the audit log naming the outage, the login observation's outcome {@code unavailable}, and nothing counted
 * against the account.
 */
class LoginDuringSessionStoreOutageTest {

  @Test
  void login_whoseSessionTheStoreCannotSave_isA503_withNoCookie_andLocksNoAccount()
      throws Exception {
    ObservationTest.RecordingHandler observed = new ObservationTest.RecordingHandler();
    try (Portal p = new Portal(observed)) {
      Browser b = p.portal.browser();
      b.openLoginPage();
      p.outage.fail("save");

      HttpResponse<String> first = b.login("alice", "alice-pw", false);

      assertThat(first.statusCode()).isEqualTo(503);
      assertThat(first.body().strip()).isEqualTo("Service unavailable. Please try again later.");
      assertThat(first.headers().firstValue("Location")).isEmpty();
      assertThat(first.headers().allValues("Set-Cookie"))
          .as("no cookie for a login that did not happen")
          .isEmpty();
      AuditEvent fail = p.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
      assertThat(fail.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(fail.reason())
          .hasValue("login could not start: session store unavailable: StoreUnavailableException");
      assertThat(fail.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-alice");
      assertThat(fail.toString()).doesNotContain("(test)").doesNotContain("alice-pw");
      p.portal.sink.assertNone(AuditEventType.AUTHN_LOGIN_SUCCESS);

      // More attempts than the account's budget of one failure: counted as failures, they would
      // shut alice out once the store answers.
      for (int i = 0; i < 2; i++) {
        assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(503);
      }
      p.outage.end();

      HttpResponse<String> back = b.login("alice", "alice-pw", false);
      assertThat(back.statusCode()).isEqualTo(303);
      assertThat(back.headers().firstValue("Location")).hasValue("/");
      assertThat(b.whoami()).isEqualTo("u-alice");
      p.portal.flushedSink().assertNone(AuditEventType.AUTHN_LOGIN_LOCK);
      assertThat(observed.named(FilterObservations.LOGIN))
          .extracting(s -> s.keyValues().get("outcome"))
          .containsExactly("unavailable", "unavailable", "unavailable", "accepted");
    }
  }

  @Test
  void login_whoseSessionTheStoreCannotRotate_isA503_andTheBrowserKeepsItsSessionCookie()
      throws Exception {
    try (Portal p = new Portal(null)) {
      Browser b = p.portal.browser();
      assertThat(b.get("/remember").body()).isEqualTo("remembered");
      String sessionCookie = p.portal.sessionConfig.cookie().name();
      String before = b.cookies().get(sessionCookie);
      assertThat(before).isNotNull();
      b.openLoginPage();
      p.outage.fail("rotate");

      HttpResponse<String> r = b.login("alice", "alice-pw", false);

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().allValues("Set-Cookie"))
          .as("neither a new session cookie, nor the auth cookie, nor the old one expired")
          .isEmpty();
      assertThat(b.cookies().get(sessionCookie)).isEqualTo(before);
      AuditEvent fail = p.portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
      assertThat(fail.reason())
          .hasValue("login could not start: session store unavailable: StoreUnavailableException");
      p.outage.end();

      assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(303);
      assertThat(b.whoami()).isEqualTo("u-alice");
    }
  }

  @Test
  void wrongPassword_isStillObservedAsRefused_notUnavailable() throws Exception {
    ObservationTest.RecordingHandler observed = new ObservationTest.RecordingHandler();
    try (Portal p = new Portal(observed)) {
      HttpResponse<String> r = p.portal.browser().login("alice", "wrong", false);

      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).hasValue("/login?error=1");
      assertThat(observed.named(FilterObservations.LOGIN))
          .singleElement()
          .satisfies(s -> assertThat(s.keyValues()).containsEntry("outcome", "refused"));
    }
  }

  /**
   * The login portal over a session store that {@link #outage} can switch off, with a login limit of one failure per
   * account, so that a counted failure shows at the next login, and the filter's observations when given a handler.
   */
  private static final class Portal implements AutoCloseable {
    final LoginPortal portal;
    StoreOutage<SessionStore> outage;

    Portal(ObservationTest.RecordingHandler observed) throws Exception {
      portal = new LoginPortal((p, filter) -> {
        outage = StoreOutage.of(SessionStore.class, p.sessionStore);
        filter
            .sessions(SessionRegistry.create(
                p.sessionConfig, outage.store(), p.random, p.clock, new SessionAudit(p.audit)))
            .login(
                PortalLogin.builder()
                    .keyRing(p.ring)
                    .users(p.users)
                    .revocations(p.revocations)
                    .clock(p.clock)
                    .random(p.random)
                    .termsVersion(LoginPortal.TERMS)
                    .ticketLifetime(Duration.ofHours(8))
                    .throttle(LoginThrottle.builder(p.clock)
                        .random(p.random)
                        .maxFailuresPerAccount(1)
                        .build())
                    .build(),
                p.random);
        if (observed != null) {
          ObservationRegistry registry = ObservationRegistry.create();
          registry.observationConfig().observationHandler(observed);
          filter.observationRegistry(registry);
        }
      });
    }

    @Override
    public void close() throws Exception {
      portal.close();
    }
  }
}
