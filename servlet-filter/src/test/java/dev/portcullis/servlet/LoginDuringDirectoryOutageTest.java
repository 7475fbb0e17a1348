package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.login.LoginAttemptStore;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Regression: a login posted while the user directory threw {@link StoreUnavailableException} left the filter as that
 * exception, so the container answered {@code 500} and no audit event was written. Through the real filter on a real
 * Jetty: the login is now answered with the generic {@code 503}, recorded as a failed login with the reason, and the
 * outage leaves neither a password-check place taken nor a failure counted against the account. A login limit whose
 * store does not answer, refused until now like a wrong password, is answered with the same {@code 503}.
 */
class LoginDuringDirectoryOutageTest {

  @Test
  void login_whileTheDirectoryIsDown_isAGeneric503_auditedAsAFailure_andLocksNoAccount()
      throws Exception {
    AtomicReference<Outage> outage = new AtomicReference<>(Outage.NONE);
    try (LoginPortal portal = portal(outage)) {
      Browser b = portal.browser();
      outage.set(Outage.EVERY_CALL);
      HttpResponse<String> first = b.login("alice", "alice-pw", false);

      assertThat(first.statusCode()).isEqualTo(503);
      assertThat(first.body().strip()).isEqualTo("Service unavailable. Please try again later.");
      assertThat(first.headers().firstValue("Location")).isEmpty();
      assertThat(first.headers().allValues("Cache-Control")).containsExactly("no-store");
      AuditEvent fail = portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
      assertThat(fail.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
      assertThat(fail.reason()).hasValue("DIRECTORY_UNAVAILABLE: StoreUnavailableException");
      assertThat(fail.actor()).as("nobody was authenticated").isEmpty();
      assertThat(fail.toString()).doesNotContain("alice-pw");

      // More attempts than the account's budget of one failure, each with a single place to check
      // passwords in: counted as failures, or holding their place, they would shut alice out.
      for (int i = 0; i < 3; i++) {
        assertThat(b.login("alice", "alice-pw", false).statusCode()).isEqualTo(503);
      }
      outage.set(Outage.NONE);

      HttpResponse<String> back = b.login("alice", "alice-pw", false);
      assertThat(back.statusCode()).isEqualTo(303);
      assertThat(back.headers().firstValue("Location")).hasValue("/");
      assertThat(b.whoami()).isEqualTo("u-alice");
      var sink = portal.flushedSink();
      sink.assertOnce(AuditEventType.AUTHN_LOGIN_SUCCESS);
      sink.assertNone(AuditEventType.AUTHN_LOGIN_LOCK);
    }
  }

  @Test
  void login_whoseTermsAcceptanceTheDirectoryCannotRecord_isA503_auditedWithTheUser()
      throws Exception {
    AtomicReference<Outage> outage = new AtomicReference<>(Outage.NONE);
    try (LoginPortal portal = portal(outage)) {
      Browser b = portal.browser();
      // The password check answers; the directory then fails to record the accepted terms.
      outage.set(Outage.TERMS_ONLY);
      HttpResponse<String> r = b.login("newbie", "newbie-pw", true);

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(b.whoami()).isEqualTo("anonymous");
      AuditEvent fail = portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
      assertThat(fail.reason()).hasValue("DIRECTORY_UNAVAILABLE: StoreUnavailableException");
      assertThat(fail.actor().map(AuditEvent.Actor::userHandle)).hasValue("u-newbie");
      portal.flushedSink().assertNone(AuditEventType.AUTHN_LOGIN_SUCCESS);
    }
  }

  @Test
  void login_whileTheLoginLimitsStoreIsDown_isTheSame503() throws Exception {
    LoginAttemptStore down = new LoginAttemptStore() {
      @Override
      public boolean reserve(String key, long attemptId, int limit, Duration window) {
        throw new StoreUnavailableException("login-attempt store unavailable (test)", null);
      }

      @Override
      public void release(String key, long attemptId) {
        throw new StoreUnavailableException("login-attempt store unavailable (test)", null);
      }

      @Override
      public void rememberAddress(String key, Duration keepFor) {
        throw new StoreUnavailableException("login-attempt store unavailable (test)", null);
      }

      @Override
      public boolean isKnownAddress(String key) {
        throw new StoreUnavailableException("login-attempt store unavailable (test)", null);
      }
    };
    try (LoginPortal portal = new LoginPortal((p, filter) -> filter.login(
        login(p, p.users)
            .throttle(LoginThrottle.builder(p.clock)
                .random(p.random)
                .store(down)
                .hashKeyFrom(p.ring)
                .build())
            .build(),
        p.random))) {
      HttpResponse<String> r = portal.browser().login("alice", "alice-pw", false);

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body().strip()).isEqualTo("Service unavailable. Please try again later.");
      AuditEvent fail = portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
      assertThat(fail.reason()).hasValue("UNAVAILABLE");
    }
  }

  @Test
  void wrongPassword_whileTheDirectoryAnswers_isStillTheUsualRefusal() throws Exception {
    try (LoginPortal portal = portal(new AtomicReference<>(Outage.NONE))) {
      HttpResponse<String> r = portal.browser().login("alice", "wrong", false);

      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).hasValue("/login?error=1");
      AuditEvent fail = portal.flushedSink().assertOnce(AuditEventType.AUTHN_LOGIN_FAIL);
      assertThat(fail.reason()).hasValue("BAD_CREDENTIALS");
    }
  }

  /**
   * The login portal over {@link DirectoryOutage}, with one password check at a time and a login limit of one failure
   * per account, so that a leaked place or a counted failure shows at the next login.
   */
  private static LoginPortal portal(AtomicReference<Outage> outage) throws Exception {
    return new LoginPortal((p, filter) -> filter.login(
        login(p, new DirectoryOutage(p.users, outage))
            .maxConcurrentPasswordChecks(1)
            .throttle(LoginThrottle.builder(p.clock)
                .random(p.random)
                .maxFailuresPerAccount(1)
                .build())
            .build(),
        p.random));
  }

  /** The portal's login over {@code users}, for the test to add to. */
  private static PortalLogin.Builder login(LoginPortal p, UserDirectory users) {
    return PortalLogin.builder()
        .keyRing(p.ring)
        .users(users)
        .revocations(p.revocations)
        .clock(p.clock)
        .random(p.random)
        .termsVersion(LoginPortal.TERMS)
        .ticketLifetime(Duration.ofHours(8));
  }

  /** Which of the directory's calls throw. */
  private enum Outage {
    NONE,
    EVERY_CALL,
    TERMS_ONLY
  }

  /** {@code users}, whose calls throw as {@code outage} says, as a database directory's do in an outage. */
  private record DirectoryOutage(UserDirectory users, AtomicReference<Outage> outage)
      implements UserDirectory {
    @Override
    public Optional<PortalUser> authenticate(String username, char[] password) {
      failIf(outage.get() == Outage.EVERY_CALL);
      return users.authenticate(username, password);
    }

    @Override
    public Optional<PortalUser> findByHandle(String handle) {
      failIf(outage.get() == Outage.EVERY_CALL);
      return users.findByHandle(handle);
    }

    @Override
    public void recordTermsAcceptance(String handle, String version) {
      failIf(outage.get() != Outage.NONE);
      users.recordTermsAcceptance(handle, version);
    }

    private static void failIf(boolean down) {
      if (down) {
        throw new StoreUnavailableException("user directory unavailable (test)", null);
      }
    }
  }
}
