package dev.portcullis.login;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.user.PortalUser;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The cut-over from a replaced portal's login cookie ({@link LegacyLogin}) to a Portcullis login: decides whether a
 * legacy cookie logs its holder in, until the sunset.
 *
 * <p>Each legacy cookie logs in once: its id goes into the replay store (until it expires or the sunset, whichever
 * comes first), so a copy presented later, after a logout or from another browser, logs nobody in. A valid cookie
 * whose user maps to an account that may log in starts a login exactly as the password form does; the terms gate
 * still follows.
 *
 * <p><b>Security.</b> A legacy cookie is a bearer credential without revocation, so the upgrade is single-use, ends at
 * the sunset, refuses a cookie issued at or before a cut-off of its user's logins in the login's revocation store
 * ("log out everywhere", {@link PortalLogin#revokeAll}: {@code authn_token_reuse}) as it refuses a Portcullis
 * ticket issued then, applies Portcullis's own account rule to the mapped user, and treats any failure of the implementation
 * or the stores as a refusal. The cut-off is asked again once the login's ticket exists, so a cut-off stored between
 * the first check and the login (on another node) refuses it too and ends its session. The caller removes every legacy cookie it sees, whatever the outcome, except when the
 * user directory, the replay store or the session store did not answer ({@link LoginDecision.Refused#unavailable()}):
 * that cookie has not been used, and is kept so that it logs its holder in once the stores answer again. The cookie's
 * id is marked used before its login starts, so of concurrent requests with one cookie only one can log in; when the
 * session store then cannot store that login, the mark is given back ({@link ReplayStore#giveBack}), or, if the replay
 * store cannot give it back, the cookie is spent and removed.
 */
public final class LegacyUpgrade {
  /** Keeps the legacy cookie ids apart from other single-use ids in a shared replay store. */
  static final String REPLAY_PREFIX = "legacy-cookie:";

  private final LegacyLogin legacy;
  private final ReplayStore upgraded;
  private final InstantSource clock;
  private final PortalLogin login;

  /**
   * @param upgraded remembers which legacy cookies have already logged someone in; shared by every node
   * @param clock decides whether the sunset has passed
   * @param login starts the Portcullis login
   */
  public LegacyUpgrade(
      LegacyLogin legacy, ReplayStore upgraded, InstantSource clock, PortalLogin login) {
    this.legacy = Objects.requireNonNull(legacy, "legacy");
    this.upgraded = Objects.requireNonNull(upgraded, "upgraded");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.login = Objects.requireNonNull(login, "login");
    // A cookie issued before a cut-off may first be presented at any time up to the sunset.
    login.keepCutOffsUntilAtLeast(legacy.sunset());
  }

  public LegacyLogin legacy() {
    return legacy;
  }

  /** Whether the sunset has passed: legacy cookies are then only removed, never read. */
  public boolean pastSunset() {
    return !clock.instant().isBefore(legacy.sunset());
  }

  /**
   * Decides what the legacy cookies a request sent do for an anonymous request.
   *
   * @param sent every value the request sent for the legacy cookie; more than one is refused
   * @return empty when nothing is to be decided (no cookie, or past the sunset); otherwise the decision
   */
  public Optional<LoginDecision> upgrade(List<String> sent, LoginSession session) {
    if (sent.isEmpty() || pastSunset()) {
      return Optional.empty();
    }
    return Optional.of(decide(sent, session));
  }

  private LoginDecision decide(List<String> sent, LoginSession session) {
    if (sent.size() > 1) {
      return LoginDecision.Refused.of(
          AuditEventType.CRYPT_DECRYPT_FAIL, "duplicate legacy cookies", null);
    }
    LegacyLogin.Result opened;
    try {
      opened = legacy.open(sent.get(0));
    } catch (RuntimeException e) {
      opened = new LegacyLogin.Result.NotValid(
          "legacy cookie unreadable: " + e.getClass().getSimpleName());
    }
    if (opened instanceof LegacyLogin.Result.NotValid notValid) {
      return LoginDecision.Refused.of(AuditEventType.CRYPT_DECRYPT_FAIL, notValid.reason(), null);
    }
    if (opened instanceof LegacyLogin.Result.Expired expired) {
      return LoginDecision.Refused.of(
          AuditEventType.SESSION_EXPIRED, "legacy ticket expired", actor(expired.legacyName()));
    }
    LegacyLogin.Result.Valid valid = (LegacyLogin.Result.Valid) opened;
    Optional<PortalUser> found;
    try {
      found = Optional.ofNullable(legacy.findUser(valid.legacyName())).flatMap(u -> u);
    } catch (RuntimeException e) {
      return LoginDecision.Refused.unavailable(
          AuditEventType.AUTHN_LOGIN_FAIL,
          "legacy ticket: user directory unavailable: " + e.getClass().getSimpleName(),
          null);
    }
    if (found.isEmpty()) {
      return LoginDecision.Refused.of(
          AuditEventType.AUTHN_LOGIN_FAIL, "legacy ticket: no portal account for its user", null);
    }
    PortalUser user = found.get();
    LoginResult.Reason problem = LoginService.accountProblem(user);
    if (problem != null) {
      return LoginDecision.Refused.of(
          AuditEventType.AUTHN_LOGIN_FAIL, "legacy ticket: account " + problem.name(), user);
    }
    boolean revoked;
    try {
      // A cut-off of the user's logins (log out everywhere, an administrator's revokeAll after a
      // password reset or a takeover) covers the old portal's cookies issued before it, as it
      // covers Portcullis tickets: the upgrade would otherwise issue a fresh ticket past it.
      revoked = login.revocations().isRevoked(cookieId(valid), user.handle(), valid.issuedAt());
    } catch (RuntimeException e) {
      return LoginDecision.Refused.unavailable(
          AuditEventType.AUTHN_LOGIN_FAIL,
          "legacy ticket: revocation store unavailable: " + e.getClass().getSimpleName(),
          user);
    }
    if (revoked) {
      return LoginDecision.Refused.of(
          AuditEventType.AUTHN_TOKEN_REUSE,
          "legacy ticket issued before the user's logins were revoked",
          user);
    }
    boolean first;
    String cookieId = cookieId(valid);
    try {
      Instant keepUntil =
          valid.expiresAt().isBefore(legacy.sunset()) ? valid.expiresAt() : legacy.sunset();
      first = upgraded.markUsed(cookieId, keepUntil);
    } catch (RuntimeException e) {
      return LoginDecision.Refused.unavailable(
          AuditEventType.AUTHN_LOGIN_FAIL,
          "legacy ticket: replay store unavailable: " + e.getClass().getSimpleName(),
          user);
    }
    if (!first) {
      return LoginDecision.Refused.of(
          AuditEventType.AUTHN_TOKEN_REUSE,
          "legacy cookie presented again after its upgrade",
          user);
    }
    LoginDecision started = login.start(
        user,
        session,
        "legacy ticket: login could not start: ",
        List.of(AuditNote.success(AuditEventType.LEGACY_TICKET_UPGRADED)
            .withReason(
                "legacy cookie " + legacy.cookie().name() + " replaced by a Portcullis login")));
    if (started instanceof LoginDecision.Refused refused && refused.unavailable()) {
      // The session store did not answer, so the login granted nothing: the cookie's use is given
      // back and the cookie kept for when the store answers. The mark was held while the login
      // ran, so a concurrent request with the same cookie was refused as a reuse meanwhile. If
      // the mark cannot be given back, the cookie is spent: kept, it would come back as presented
      // again (authn_token_reuse).
      return givenBack(cookieId)
          ? refused
          : new LoginDecision.Refused(refused.audit(), refused.user());
    }
    if (started instanceof LoginDecision.Accepted) {
      return unlessCutOffMeanwhile(started, valid, user, session);
    }
    return started;
  }

  /**
   * The accepted login {@code started}, unless a cut-off of the user's logins covering the legacy cookie was stored
   * since the check before it: the login's ticket is issued after that cut-off, which would not cover it. Asked once
   * the ticket exists: a cut-off stored before this answer is seen here, and one made after the ticket's issue covers
   * the ticket itself. Refused, the cookie stays spent; a revocation store that does not answer refuses the login as
   * unavailable and gives the cookie's use back.
   */
  private LoginDecision unlessCutOffMeanwhile(
      LoginDecision started,
      LegacyLogin.Result.Valid valid,
      PortalUser user,
      LoginSession session) {
    boolean revoked;
    try {
      revoked = login.revocations().isRevoked(cookieId(valid), user.handle(), valid.issuedAt());
    } catch (RuntimeException e) {
      // Not known to stand: the login grants nothing, and the cookie's use is given back as when
      // the session store does not answer.
      session.end();
      LoginDecision.Refused refused = LoginDecision.Refused.unavailable(
          AuditEventType.AUTHN_LOGIN_FAIL,
          "legacy ticket: revocation store unavailable: " + e.getClass().getSimpleName(),
          user);
      return givenBack(cookieId(valid))
          ? refused
          : new LoginDecision.Refused(refused.audit(), refused.user());
    }
    if (!revoked) {
      return started;
    }
    session.end();
    return LoginDecision.Refused.of(
        AuditEventType.AUTHN_TOKEN_REUSE,
        "legacy ticket issued before the user's logins were revoked (while it was upgraded)",
        user);
  }

  private static String cookieId(LegacyLogin.Result.Valid valid) {
    return REPLAY_PREFIX + valid.cookieId();
  }

  private boolean givenBack(String cookieId) {
    try {
      return upgraded.giveBack(cookieId);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The account for the audit log's actor only; any failure just leaves the actor out. */
  private PortalUser actor(String legacyName) {
    try {
      return Optional.ofNullable(legacy.findUser(legacyName)).flatMap(u -> u).orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
