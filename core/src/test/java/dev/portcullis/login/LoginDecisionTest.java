package dev.portcullis.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestKeyRings;
import dev.portcullis.testing.UnavailableRevocationStore;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The login decisions of {@link PortalLogin}, over a recording {@link LoginSession}: no servlet, no HTTP. */
class LoginDecisionTest {
  private final MutableClock clock = MutableClock.startingAt2026();
  private final InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests())
      .add("alice", "a".toCharArray(), user("u-alice", "alice@example.org", true, "t1"))
      .add("newbie", "n".toCharArray(), user("u-newbie", "nia@example.org", true, ""))
      .add("dave", "d".toCharArray(), user("u-dave", "", true, "t1"))
      .add("eve", "e".toCharArray(), user("u-eve", "eve@example.org", false, "t1"));
  private final PortalLogin login = PortalLogin.builder()
      .keyRing(TestKeyRings.current())
      .users(users)
      .revocations(RevocationStore.inMemory(clock))
      .clock(clock)
      .random(new SecureRandom())
      .termsVersion("t1")
      .build();
  private final RecordingSession session = new RecordingSession();
  private final AccountLinkStore links = AccountLinkStore.inMemory();

  private static PortalUser user(String handle, String email, boolean enabled, String terms) {
    return new PortalUser(
        handle, "Name of " + handle, email, Set.of("PROVIDER"), "riverside", enabled, terms);
  }

  /** Rotates to ids sid-1, sid-2, ...; ends and "ends everywhere" only by recording. */
  static final class RecordingSession implements LoginSession {
    final List<String> calls = new ArrayList<>();
    RuntimeException failure;
    /** What {@link #end()} answers: false as a store that failed to delete the session. */
    boolean endSucceeds = true;

    int rotations;

    @Override
    public String rotateTo(String userHandle) {
      calls.add("rotateTo " + userHandle);
      if (failure != null) {
        throw failure;
      }
      return "sid-" + ++rotations + "-" + "x".repeat(40);
    }

    @Override
    public boolean end() {
      calls.add("end");
      return endSucceeds;
    }

    @Override
    public void endAllOf(String userHandle) {
      calls.add("endAllOf " + userHandle);
    }
  }

  private static List<AuditEventType> types(List<AuditNote> notes) {
    return notes.stream().map(AuditNote::type).toList();
  }

  @Test
  void passwordLogin_rotatesTheSession_andBindsTheNewTicketToTheNewId() {
    LoginDecision d = login.passwordLogin("alice", "a".toCharArray(), false, "192.0.2.1", session);

    LoginDecision.Accepted ok = (LoginDecision.Accepted) d;
    assertThat(session.calls).containsExactly("rotateTo u-alice");
    assertThat(ok.user().handle()).isEqualTo("u-alice");
    assertThat(types(ok.audit())).containsExactly(AuditEventType.AUTHN_LOGIN_SUCCESS);
    assertThat(ok.termsAcceptedNow()).isFalse();
    String newId = "sid-1-" + "x".repeat(40);
    assertThat(login.check(List.of(ok.ticket().cookieValue()), newId))
        .isInstanceOf(AuthCheck.Authenticated.class);
    AuthCheck other = login.check(List.of(ok.ticket().cookieValue()), "sid-2-" + "x".repeat(40));
    assertThat(((AuthCheck.Anonymous) other).audit())
        .map(AuditNote::type)
        .contains(AuditEventType.AUTHN_TOKEN_INVALID);
  }

  @Test
  void passwordLogin_thatAcceptsTheTermsNow_recordsThemBeforeTheLogin() {
    LoginDecision.Accepted ok = (LoginDecision.Accepted)
        login.passwordLogin("newbie", "n".toCharArray(), true, null, session);

    assertThat(types(ok.audit()))
        .containsExactly(AuditEventType.TERMS_ACCEPTED, AuditEventType.AUTHN_LOGIN_SUCCESS);
    assertThat(ok.audit().get(0).reason()).contains("terms version t1");
    assertThat(ok.termsAcceptedNow()).isTrue();
    assertThat(login.terms().needsAcceptance(ok.user())).isFalse();
  }

  @Test
  void passwordLogin_whileTheDirectoryThrows_isRefusedAsUnavailable_notAsWrongCredentials() {
    PortalLogin down = PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(new UserDirectory() {
          @Override
          public Optional<PortalUser> authenticate(String username, char[] password) {
            throw new StoreUnavailableException("directory down (test)", null);
          }

          @Override
          public Optional<PortalUser> findByHandle(String handle) {
            return Optional.empty();
          }

          @Override
          public void recordTermsAcceptance(String handle, String version) {}
        })
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();

    LoginDecision.Refused r = (LoginDecision.Refused)
        down.passwordLogin("alice", "a".toCharArray(), false, null, session);

    assertThat(r.unavailable()).isTrue();
    assertThat(r.audit().type()).isEqualTo(AuditEventType.AUTHN_LOGIN_FAIL);
    assertThat(r.audit().reason()).contains("DIRECTORY_UNAVAILABLE: StoreUnavailableException");
    assertThat(r.user()).isEmpty();
    assertThat(session.calls).isEmpty();
    LoginDecision.Refused wrong = (LoginDecision.Refused)
        login.passwordLogin("alice", "wrong".toCharArray(), false, null, session);
    assertThat(wrong.unavailable()).isFalse();
  }

  @Test
  void refusedPasswordLogins_touchNoSession_andSayWhyInTheNoteOnly() {
    LoginDecision.Refused wrong = (LoginDecision.Refused)
        login.passwordLogin("alice", "b".toCharArray(), true, null, session);
    assertThat(wrong.audit())
        .isEqualTo(AuditNote.failure(AuditEventType.AUTHN_LOGIN_FAIL, "BAD_CREDENTIALS"));
    assertThat(wrong.user()).isEmpty();

    LoginDecision.Refused noTerms = (LoginDecision.Refused)
        login.passwordLogin("newbie", "n".toCharArray(), false, null, session);
    assertThat(noTerms.audit().reason()).contains("TERMS_NOT_ACCEPTED");
    assertThat(noTerms.user()).map(PortalUser::handle).contains("u-newbie");

    for (String[] bad : new String[][] {
      {null, "a"}, {"alice", null}, {" ", "a"}, {"a".repeat(257), "a"}, {"alice", "a".repeat(1025)}
    }) {
      LoginDecision.Refused r = (LoginDecision.Refused) login.passwordLogin(
          bad[0], bad[1] == null ? null : bad[1].toCharArray(), true, null, session);
      assertThat(r.audit().reason()).contains("missing or oversized credentials");
    }
    assertThat(session.calls).isEmpty();
  }

  @Test
  void throttledPasswordLogin_isALock_notAFailure() {
    PortalLogin strict = PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .throttle(LoginThrottle.builder(clock)
            .random(new SecureRandom())
            .maxFailuresPerAccount(1)
            .build())
        .build();
    strict.passwordLogin("alice", "wrong".toCharArray(), true, null, session);

    LoginDecision.Refused r = (LoginDecision.Refused)
        strict.passwordLogin("alice", "a".toCharArray(), true, null, session);
    assertThat(r.audit())
        .isEqualTo(AuditNote.failure(AuditEventType.AUTHN_LOGIN_LOCK, "THROTTLED"));
    assertThat(session.calls).isEmpty();
  }

  @Test
  void aSessionThatCannotRotate_refusesTheLogin_naming_theUser() {
    session.failure = new IllegalStateException("store down");

    LoginDecision.Refused r = (LoginDecision.Refused)
        login.passwordLogin("alice", "a".toCharArray(), false, null, session);
    assertThat(r.audit())
        .isEqualTo(AuditNote.failure(
            AuditEventType.AUTHN_LOGIN_FAIL, "login could not start: IllegalStateException"));
    assertThat(r.user()).map(PortalUser::handle).contains("u-alice");
    assertThat(r.unavailable()).as("a session that is gone is no outage").isFalse();
  }

  @Test
  void aSessionStoreThatDoesNotAnswer_atTheRotation_refusesEveryKindOfLogin_asUnavailable() {
    session.failure = new StoreUnavailableException("session store down (test)", null);
    links.link("https://login.example", "sub-a", "u-alice");

    LoginDecision.Refused password = (LoginDecision.Refused)
        login.passwordLogin("alice", "a".toCharArray(), false, null, session);
    LoginDecision.Refused sso =
        (LoginDecision.Refused) login.ssoLogin(links, "https://login.example", "sub-a", session);

    assertThat(password.unavailable()).isTrue();
    assertThat(password.audit())
        .isEqualTo(AuditNote.failure(
            AuditEventType.AUTHN_LOGIN_FAIL,
            "login could not start: session store unavailable: StoreUnavailableException"));
    assertThat(password.user()).map(PortalUser::handle).contains("u-alice");
    assertThat(sso.unavailable()).isTrue();
    assertThat(sso.audit().reason())
        .contains(
            "SSO login could not start: session store unavailable: StoreUnavailableException");
    assertThat(sso.audit().toString()).doesNotContain("down (test)");
  }

  @Test
  void ssoLogin_whoseDirectoryDoesNotAnswer_isRefusedAsUnavailable() {
    links.link("https://login.example", "sub-a", "u-alice");
    PortalLogin down = PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(new UserDirectory() {
          @Override
          public Optional<PortalUser> authenticate(String username, char[] password) {
            return Optional.empty();
          }

          @Override
          public Optional<PortalUser> findByHandle(String handle) {
            throw new StoreUnavailableException("directory down (test)", null);
          }

          @Override
          public void recordTermsAcceptance(String handle, String version) {}
        })
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();

    LoginDecision.Refused r =
        (LoginDecision.Refused) down.ssoLogin(links, "https://login.example", "sub-a", session);

    assertThat(r.unavailable()).isTrue();
    assertThat(r.audit())
        .isEqualTo(AuditNote.failure(
            AuditEventType.AUTHN_LOGIN_FAIL,
            "SSO login: user directory unavailable: StoreUnavailableException"));
    assertThat(session.calls).isEmpty();
  }

  @Test
  void ssoLogin_logsInTheLinkedAccount_only() {
    links.link("https://login.example", "sub-a", "u-alice");

    LoginDecision.Accepted ok =
        (LoginDecision.Accepted) login.ssoLogin(links, "https://login.example", "sub-a", session);
    assertThat(ok.user().handle()).isEqualTo("u-alice");
    assertThat(ok.audit())
        .containsExactly(
            AuditNote.success(AuditEventType.AUTHN_LOGIN_SUCCESS).withAction("sso_login"));
    assertThat(session.calls).containsExactly("rotateTo u-alice");

    LoginDecision.Refused unknown = (LoginDecision.Refused)
        login.ssoLogin(links, "https://login.example", "sub-nobody", session);
    assertThat(unknown.audit().reason()).contains("SSO login: no usable linked account");
    LoginDecision.Refused otherIssuer =
        (LoginDecision.Refused) login.ssoLogin(links, "https://evil.example", "sub-a", session);
    assertThat(refusal(otherIssuer)).isEqualTo("SSO login: no usable linked account");
    assertThat(session.calls).hasSize(1);
  }

  @Test
  void ssoLogin_withAFailingLinkStore_isRefusedAsUnavailable() {
    AccountLinkStore broken = new AccountLinkStore() {
      @Override
      public LinkResult link(String issuer, String subject, String userHandle) {
        throw new IllegalStateException("down");
      }

      @Override
      public Optional<String> userFor(String issuer, String subject) {
        throw new IllegalStateException("down");
      }

      @Override
      public boolean isLinked(String userHandle) {
        throw new IllegalStateException("down");
      }

      @Override
      public java.util.List<LinkedIdentity> linksOf(String userHandle) {
        throw new IllegalStateException("down");
      }

      @Override
      public boolean unlink(String issuer, String subject, String userHandle) {
        throw new IllegalStateException("down");
      }

      @Override
      public int unlinkAll(String userHandle) {
        throw new IllegalStateException("down");
      }
    };
    LoginDecision.Refused r =
        (LoginDecision.Refused) login.ssoLogin(broken, "https://login.example", "sub-a", session);
    assertThat(r.audit().reason())
        .hasValue("SSO login: account-link store unavailable: IllegalStateException");
    assertThat(r.unavailable()).isTrue();
    assertThat(session.calls).isEmpty();
  }

  /** "May this account log in?" has one answer, whichever way the login comes, and on every later request. */
  @Test
  void anAccountThatMayNotLogIn_isRefusedByEveryKindOfLogin_andByTheCheckOfEveryRequest() {
    links.link("https://login.example", "sub-dave", "u-dave");
    links.link("https://login.example", "sub-eve", "u-eve");
    LegacyUpgrade legacy =
        new LegacyUpgrade(fakeLegacy(), ReplayStore.inMemory(clock), clock, login);

    assertThat(refusal(login.passwordLogin("dave", "d".toCharArray(), true, null, session)))
        .contains("MISSING_EMAIL");
    assertThat(refusal(login.passwordLogin("eve", "e".toCharArray(), true, null, session)))
        .contains("DISABLED");
    assertThat(refusal(login.ssoLogin(links, "https://login.example", "sub-dave", session)))
        .contains("no usable linked account");
    assertThat(refusal(login.ssoLogin(links, "https://login.example", "sub-eve", session)))
        .contains("no usable linked account");
    assertThat(refusal(legacy.upgrade(List.of("dave.dunn:1"), session).orElseThrow()))
        .contains("account MISSING_EMAIL");
    assertThat(refusal(legacy.upgrade(List.of("eve.evans:2"), session).orElseThrow()))
        .contains("account DISABLED");
    assertThat(session.calls).isEmpty();

    // Alice logs in, then her account loses its email: her next request is anonymous for the same
    // reason.
    LoginDecision.Accepted ok = (LoginDecision.Accepted)
        login.passwordLogin("alice", "a".toCharArray(), false, null, session);
    PortalLogin afterTheChange = PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(new InMemoryUserDirectory(PasswordHasher.forTests())
            .add("alice", "a".toCharArray(), user("u-alice", "", true, "t1")))
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();
    assertThat(afterTheChange.check(List.of(ok.ticket().cookieValue()), "sid-1-" + "x".repeat(40)))
        .isInstanceOf(AuthCheck.Anonymous.class);
    AuthCheck later =
        afterTheChange.check(List.of(ok.ticket().cookieValue()), "sid-1-" + "x".repeat(40));
    assertThat(((AuthCheck.Anonymous) later).audit())
        .map(AuditNote::reason)
        .contains(Optional.of("account MISSING_EMAIL"));
  }

  private static String refusal(LoginDecision d) {
    assertThat(d).isInstanceOf(LoginDecision.Refused.class);
    return ((LoginDecision.Refused) d).audit().reason().orElseThrow();
  }

  @Test
  void legacyUpgrade_logsInOncePerCookie_andNeverPastTheSunset() {
    LegacyUpgrade legacy =
        new LegacyUpgrade(fakeLegacy(), ReplayStore.inMemory(clock), clock, login);

    LoginDecision.Accepted ok = (LoginDecision.Accepted)
        legacy.upgrade(List.of("alice.adams:7"), session).orElseThrow();
    assertThat(ok.user().handle()).isEqualTo("u-alice");
    assertThat(types(ok.audit())).containsExactly(AuditEventType.LEGACY_TICKET_UPGRADED);

    LoginDecision.Refused again = (LoginDecision.Refused)
        legacy.upgrade(List.of("alice.adams:7"), session).orElseThrow();
    assertThat(again.audit().type()).isEqualTo(AuditEventType.AUTHN_TOKEN_REUSE);
    assertThat(refusal(
            legacy.upgrade(List.of("alice.adams:8", "alice.adams:9"), session).orElseThrow()))
        .contains("duplicate legacy cookies");
    assertThat(legacy.upgrade(List.of(), session)).isEmpty();

    // The session store does not answer, so the login granted nothing: the cookie's use is given
    // back and the refusal is an outage, which the filter answers by keeping the cookie.
    session.failure = new StoreUnavailableException("session store down (test)", null);
    LoginDecision.Refused notStored = (LoginDecision.Refused)
        legacy.upgrade(List.of("alice.adams:11"), session).orElseThrow();
    assertThat(notStored.audit().reason())
        .contains(
            "legacy ticket: login could not start: session store unavailable: StoreUnavailableException");
    assertThat(notStored.unavailable()).isTrue();
    session.failure = null;
    assertThat(legacy.upgrade(List.of("alice.adams:11"), session).orElseThrow())
        .as("the same cookie, once the store answers")
        .isInstanceOf(LoginDecision.Accepted.class);
    assertThat(((LoginDecision.Refused)
                legacy.upgrade(List.of("alice.adams:11"), session).orElseThrow())
            .audit()
            .type())
        .isEqualTo(AuditEventType.AUTHN_TOKEN_REUSE);

    clock.set(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(legacy.pastSunset()).isTrue();
    assertThat(legacy.upgrade(List.of("alice.adams:10"), session)).isEmpty();
    assertThat(session.calls)
        .containsExactly("rotateTo u-alice", "rotateTo u-alice", "rotateTo u-alice");
  }

  @Test
  void legacyUpgrade_whoseLoginIsNotStored_andWhoseReplayStoreKeepsMarks_spendsTheCookie() {
    ReplayStore inMemory = ReplayStore.inMemory(clock);
    // A store without giveBack: the interface's default keeps the mark.
    ReplayStore keepsMarks = inMemory::markUsed;
    LegacyUpgrade legacy = new LegacyUpgrade(fakeLegacy(), keepsMarks, clock, login);

    session.failure = new StoreUnavailableException("session store down (test)", null);
    LoginDecision.Refused spent = (LoginDecision.Refused)
        legacy.upgrade(List.of("alice.adams:12"), session).orElseThrow();
    assertThat(spent.unavailable())
        .as("not an outage to wait out: the filter removes the cookie")
        .isFalse();
    session.failure = null;
    assertThat(((LoginDecision.Refused)
                legacy.upgrade(List.of("alice.adams:12"), session).orElseThrow())
            .audit()
            .type())
        .isEqualTo(AuditEventType.AUTHN_TOKEN_REUSE);
  }

  @Test
  void legacyUpgrade_ofACookieWithoutAnIssueTime_isRefusedAfterAnyCutOffOfItsUser() {
    LegacyUpgrade legacy =
        new LegacyUpgrade(fakeLegacy(), ReplayStore.inMemory(clock), clock, login);
    clock.advance(Duration.ofMinutes(1));
    login.revokeAll("u-alice");
    clock.advance(Duration.ofMinutes(1));

    LoginDecision.Refused refused = (LoginDecision.Refused)
        legacy.upgrade(List.of("alice.adams:30"), session).orElseThrow();
    assertThat(refused.audit().type()).isEqualTo(AuditEventType.AUTHN_TOKEN_REUSE);
    assertThat(refused.audit().reason())
        .contains("legacy ticket issued before the user's logins were revoked");
    assertThat(refused.unavailable()).isFalse();
    assertThat(legacy.upgrade(List.of("nia.new:31"), session).orElseThrow())
        .as("a user without a cut-off")
        .isInstanceOf(LoginDecision.Accepted.class);
    assertThat(session.calls).containsExactly("rotateTo u-newbie");
  }

  @Test
  void legacyUpgrade_whileTheRevocationStoreDoesNotAnswer_isAnOutage_andSpendsNothing() {
    AtomicBoolean down = new AtomicBoolean(true);
    RevocationStore inMemory = RevocationStore.inMemory(clock);
    RevocationStore flaky = new RevocationStore() {
      @Override
      public void revoke(String ticketId, Instant expiresAt) {
        inMemory.revoke(ticketId, expiresAt);
      }

      @Override
      public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
        inMemory.revokeAllIssuedBefore(userHandle, cutOff, keepUntil);
      }

      @Override
      public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
        if (down.get()) {
          throw new StoreUnavailableException("down", null);
        }
        return inMemory.isRevoked(ticketId, userHandle, issuedAt);
      }
    };
    PortalLogin outage = PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(users)
        .revocations(flaky)
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();
    LegacyUpgrade legacy =
        new LegacyUpgrade(fakeLegacy(), ReplayStore.inMemory(clock), clock, outage);

    LoginDecision.Refused refused = (LoginDecision.Refused)
        legacy.upgrade(List.of("alice.adams:40"), session).orElseThrow();
    assertThat(refused.unavailable()).isTrue();
    assertThat(refused.audit().reason())
        .contains("legacy ticket: revocation store unavailable: StoreUnavailableException");
    down.set(false);
    assertThat(legacy.upgrade(List.of("alice.adams:40"), session).orElseThrow())
        .as("the same cookie, once the store answers")
        .isInstanceOf(LoginDecision.Accepted.class);
  }

  /** Cookie values {@code <legacy name>:<id>}; names map to handles by their first letter. Sunset in 2030. */
  private LegacyLogin fakeLegacy() {
    return new LegacyLogin() {
      @Override
      public CookieSpec cookie() {
        return CookieSpec.builder(".ASPXAUTH")
            .purpose("the old portal's login")
            .dataStored("a ticket")
            .duration("until logout")
            .build();
      }

      @Override
      public Instant sunset() {
        return Instant.parse("2030-01-01T00:00:00Z");
      }

      @Override
      public Result open(String cookieValue) {
        String[] parts = cookieValue.split(":");
        return new Result.Valid(parts[0], parts[1], clock.instant().plus(Duration.ofHours(1)));
      }

      @Override
      public Optional<PortalUser> findUser(String legacyName) {
        return users.findByHandle(
            "u-" + legacyName.substring(0, legacyName.indexOf('.')).replace("nia", "newbie"));
      }
    };
  }

  @Test
  void logout_revokesTheTicket_endsTheSession_andSaysWhatToRecord() {
    LoginDecision.Accepted ok = (LoginDecision.Accepted)
        login.passwordLogin("alice", "a".toCharArray(), false, null, session);
    String sid = "sid-1-" + "x".repeat(40);

    LogoutDecision out = login.logout(Optional.of(ok.ticket().ticket()), false, session);
    assertThat(out)
        .isEqualTo(new LogoutDecision.LoggedOut(
            AuditNote.success(AuditEventType.LOGOUT).withAction("logout")));
    assertThat(session.calls).containsExactly("rotateTo u-alice", "end");
    AuthCheck after = login.check(List.of(ok.ticket().cookieValue()), sid);
    assertThat(((AuthCheck.Anonymous) after).audit())
        .map(AuditNote::type)
        .contains(AuditEventType.AUTHN_TOKEN_REUSE);
  }

  @Test
  void logout_whoseSessionOutlivesIt_isRecordedAsAFailure_withTheTicketRevoked() {
    LoginDecision.Accepted ok = (LoginDecision.Accepted)
        login.passwordLogin("alice", "a".toCharArray(), false, null, session);
    String sid = "sid-1-" + "x".repeat(40);
    session.endSucceeds = false;

    LogoutDecision out = login.logout(Optional.of(ok.ticket().ticket()), false, session);
    assertThat(out)
        .isEqualTo(new LogoutDecision.LoggedOut(
            AuditNote.failure(AuditEventType.LOGOUT, "session store failed to delete the session")
                .withAction("logout")));
    AuthCheck after = login.check(List.of(ok.ticket().cookieValue()), sid);
    assertThat(after).isInstanceOf(AuthCheck.Anonymous.class);
  }

  @Test
  void logoutEverywhere_endsEverySessionOfTheUser_andAnonymousLogout_recordsNothing() {
    LoginDecision.Accepted ok = (LoginDecision.Accepted)
        login.passwordLogin("alice", "a".toCharArray(), false, null, session);

    LogoutDecision out = login.logout(Optional.of(ok.ticket().ticket()), true, session);
    assertThat(((LogoutDecision.LoggedOut) out).audit())
        .isEqualTo(
            AuditNote.success(AuditEventType.SESSION_REVOKED).withAction("logout_everywhere"));
    assertThat(session.calls).containsExactly("rotateTo u-alice", "endAllOf u-alice", "end");

    assertThat(login.logout(Optional.empty(), true, session))
        .isEqualTo(new LogoutDecision.NotLoggedIn());
    assertThat(session.calls).endsWith("end", "end");
  }

  @Test
  void check_refusesDuplicateAuthCookies_withATypedEvent() {
    AuthCheck.Anonymous twice = (AuthCheck.Anonymous) login.check(List.of("a", "b"), null);
    assertThat(twice.audit())
        .contains(AuditNote.failure(AuditEventType.CRYPT_DECRYPT_FAIL, "duplicate auth cookies"));
    assertThat(twice.cookieToClear()).isTrue();
    AuthCheck.Anonymous none = (AuthCheck.Anonymous) login.check(List.of(), null);
    assertThat(none.cookieToClear()).isFalse();
  }

  @Test
  void check_whenTheRevocationStoreDoesNotAnswer_isAnonymous_butKeepsTheCookie() {
    RevocationStore down = new UnavailableRevocationStore();
    PortalLogin outage = PortalLogin.builder()
        .keyRing(TestKeyRings.current())
        .users(users)
        .revocations(down)
        .clock(clock)
        .random(new SecureRandom())
        .termsVersion("t1")
        .build();
    LoginDecision.Accepted ok = (LoginDecision.Accepted)
        outage.passwordLogin("alice", "a".toCharArray(), false, null, session);
    String sid = "sid-1-" + "x".repeat(40);

    AuthCheck.Anonymous check =
        (AuthCheck.Anonymous) outage.check(List.of(ok.ticket().cookieValue()), sid);
    assertThat(check.storeUnavailable()).isTrue();
    assertThat(check.cookieToClear())
        .as("an outage must not log the browser out")
        .isFalse();
    assertThat(check.audit())
        .map(AuditNote::reason)
        .contains(Optional.of("revocation store unavailable"));
  }
}
