package dev.portcullis.login;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.cookie.CookieNames;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.internal.TicketRevocations;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.session.SessionId;
import dev.portcullis.session.SessionKey;
import dev.portcullis.session.StoredSession;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.ticket.TicketCheck;
import dev.portcullis.ticket.TicketVerifier;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Every login decision, and the check that says who is logged in. The servlet filter translates requests into these
 * calls and their results into responses; it decides nothing itself.
 *
 * <ul>
 *   <li>{@link #check}: on every request, who the auth cookie says is logged in.
 *   <li>{@link #passwordLogin}, {@link #ssoLogin} and (through {@link LegacyUpgrade}) the legacy-cookie upgrade:
 *       whether a login happens, as a {@link LoginDecision}. Each asks the same question, "may this account log in?",
 *       of the same rule, and starts an accepted login the same way: the session rotated through
 *       {@link LoginSession}, a new ticket bound to the new id.
 *   <li>{@link #logout}: revocation, as a {@link LogoutDecision}; what a store could not end is finished later by
 *       {@link PendingLogouts}.
 * </ul>
 *
 * <p>Its settings are parts with one job each: {@link #endpoints()}, {@link #cookies()} and {@link #terms()}.
 *
 * <p>The check on every request: the cookie opens under the key ring (purpose {@code auth-ticket}, bound to the
 * cookie name), has not expired, is bound to the request's session, is not revoked, and names a user who still
 * exists and may log in. Past half its lifetime a ticket is renewed.
 *
 * <p><b>Security.</b> Fails closed: a revocation store or directory that cannot answer means anonymous (keeping the
 * auth cookie, so that the login works again once it answers), a session that cannot be rotated means no login. An
 * account may log in only when it is enabled and has a name, an email and a role. The cookie carries no personal data.
 * Nothing here logs a cookie value or session id.
 */
public final class PortalLogin {
  /** Credentials longer than these are refused before anything else is asked. */
  static final int MAX_USERNAME = 256;

  static final int MAX_PASSWORD = 1024;

  /** In a refusal's reason, before the exception's type: the session store did not answer. */
  private static final String SESSION_STORE_UNAVAILABLE = "session store unavailable: ";

  private final TicketVerifier tickets;
  private final UserDirectory users;
  private final RevocationStore revocations;
  /** {@link #revocations} when it answers from the ticket itself; null otherwise. */
  private final TicketRevocations ticketRevocations;

  private final LoginService passwords;
  private final TermsOfUse terms;
  private final InstantSource clock;
  private final LoginCookies cookies;
  private final LoginEndpoints endpoints;
  private final Duration ticketLifetime;
  /**
   * The latest sunset of a legacy login cookie upgraded through this login ({@link LegacyUpgrade}), null without one:
   * cut-offs are kept until then at least, since such a cookie can be presented until its sunset.
   */
  private final AtomicReference<Instant> legacySunset = new AtomicReference<>();

  private final LoginFormTokens formTokens;
  private final int maxSessionsPerUser;
  private final SessionLimit whenSessionsExceeded;
  private final boolean loginLimitShared;
  private final OptionalLong loginLimitMaxTracked;
  private final int maxConcurrentPasswordChecks;
  private final int maxPendingLogouts;
  private final Duration connectionRecheckInterval;

  private PortalLogin(Builder b, LoginCookies cookies, LoginEndpoints endpoints) {
    this.clock = b.clock;
    this.cookies = cookies;
    this.endpoints = endpoints;
    this.tickets = TicketVerifier.create(b.keyRing, cookies.authCookie().name(), b.clock, b.random);
    this.users = b.users;
    this.revocations = b.revocations;
    this.ticketRevocations = b.revocations instanceof TicketRevocations byTicket ? byTicket : null;
    LoginThrottle throttle = b.throttle != null
        ? b.throttle
        : LoginThrottle.builder(b.clock).random(b.random).build();
    this.maxConcurrentPasswordChecks = b.maxConcurrentPasswordChecks != null
        ? b.maxConcurrentPasswordChecks
        : PasswordCheckLimit.defaultPlaces();
    this.passwords = new LoginService(
        b.users, throttle, b.termsVersion, new PasswordCheckLimit(maxConcurrentPasswordChecks));
    this.loginLimitShared = throttle.sharedBetweenNodes();
    this.loginLimitMaxTracked = throttle.maxTracked();
    this.terms = new TermsOfUse(b.users, b.termsVersion);
    this.ticketLifetime = b.ticketLifetime;
    this.formTokens = new LoginFormTokens(b.keyRing);
    this.maxSessionsPerUser = b.maxSessionsPerUser;
    this.whenSessionsExceeded = b.whenSessionsExceeded;
    this.maxPendingLogouts = b.maxPendingLogouts;
    this.connectionRecheckInterval = b.connectionRecheckInterval;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The paths of the login, logout and terms endpoints. */
  public LoginEndpoints endpoints() {
    return endpoints;
  }

  /** The auth cookie, and the cookie-check cookie unless the session cookie does that check. */
  public LoginCookies cookies() {
    return cookies;
  }

  /**
   * The anti-forgery tokens of visitors without a session (the login form's), bound to the cookie-check cookie under
   * the key ring. When the session cookie does the cookie check, the adapter binds them to session ids instead
   * ({@link LoginFormTokens#forSessionIds}).
   */
  public LoginFormTokens formTokens() {
    return formTokens;
  }

  /** The current terms of use. */
  public TermsOfUse terms() {
    return terms;
  }

  /**
   * Whether the login limit is kept in a store that nodes share ({@link LoginAttemptStore#sharedBetweenNodes()}), so
   * that every node counts against one budget per account and address; false for the default, in this node's memory.
   */
  public boolean loginLimitSharedBetweenNodes() {
    return loginLimitShared;
  }

  /**
   * How many budgets (and as many known addresses) the login limit keeps in this node's memory at most ({@link
   * LoginThrottle#maxTracked()}); empty when the limit is kept in a store of its own, such as one that nodes share.
   */
  public OptionalLong loginLimitMaxTracked() {
    return loginLimitMaxTracked;
  }

  /**
   * Whether this login's limit suits the session store beside it; see {@link LoginLimitCheck}. Adapters ask it once,
   * when they start.
   *
   * @param sessionsSharedBetweenNodes the session store's
   *     {@link dev.portcullis.session.SessionStore#sharedBetweenNodes()}; false for the default store in this node's
   *     memory
   * @param perNodeLimitAccepted whether the application explicitly accepted one login limit per node
   */
  public LoginLimitCheck loginLimitCheck(
      boolean sessionsSharedBetweenNodes, boolean perNodeLimitAccepted) {
    return LoginLimitCheck.of(sessionsSharedBetweenNodes, loginLimitShared, perNodeLimitAccepted);
  }

  /**
   * Who the request's auth cookie says is logged in.
   *
   * @param cookieValues every value the request sent for the auth cookie, in order; more than one is refused
   * @param sessionId the raw id of the request's valid session, or null when it has none
   */
  public AuthCheck check(List<String> cookieValues, String sessionId) {
    OpenedTicket opened = openTicket(cookieValues);
    if (opened.refusal() != null) {
      return opened.refusal();
    }
    AuthTicket ticket = opened.ticket();
    if (sessionId == null || !ticket.isBoundTo(sessionId)) {
      return notBound(ticket);
    }
    return checkBound(ticket, sessionId, revocationOf(ticket), opened.pastHalfLife());
  }

  /**
   * Whether {@code ticket} is revoked, asked of the revocation store alone; a store that fails is an answer too
   * ({@link SessionAndRevocationLookup.Revocation#UNAVAILABLE}). Adapters ask it again, after a write that must not
   * outlive the login that authenticated the request (an account link): a logout everywhere or an administrator's
   * cut-off on another node may have ended the login since the request was checked.
   */
  public SessionAndRevocationLookup.Revocation revocationOf(AuthTicket ticket) {
    try {
      boolean revoked = ticketRevocations != null
          ? ticketRevocations.isRevoked(ticket)
          : revocations.isRevoked(ticket.ticketIdHex(), ticket.userHandle(), ticket.authTime());
      return revoked
          ? SessionAndRevocationLookup.Revocation.REVOKED
          : SessionAndRevocationLookup.Revocation.NOT_REVOKED;
    } catch (StoreUnavailableException e) {
      return SessionAndRevocationLookup.Revocation.UNAVAILABLE;
    }
  }

  /**
   * A request's auth cookie opened (crypto only, no store): the ticket, or the answer when there is none; and whether
   * the ticket was past its half-life when its expiry was checked ({@link TicketCheck.Valid#pastHalfLife}).
   */
  record OpenedTicket(AuthTicket ticket, AuthCheck.Anonymous refusal, boolean pastHalfLife) {
    static final OpenedTicket NO_COOKIE =
        new OpenedTicket(null, AuthCheck.Anonymous.noCookie(), false);

    static OpenedTicket refused(AuthCheck.Anonymous refusal) {
      return new OpenedTicket(null, refusal, false);
    }
  }

  OpenedTicket openTicket(List<String> cookieValues) {
    if (cookieValues.isEmpty()) {
      return OpenedTicket.NO_COOKIE;
    }
    if (cookieValues.size() > 1) {
      return OpenedTicket.refused(AuthCheck.Anonymous.refused(
          AuditEventType.CRYPT_DECRYPT_FAIL, "duplicate auth cookies", null));
    }
    TicketCheck result = verify(cookieValues.get(0));
    if (!(result instanceof TicketCheck.Valid valid)) {
      return OpenedTicket.refused(refusalOf(result));
    }
    return new OpenedTicket(valid.ticket(), null, valid.pastHalfLife());
  }

  /** The one auth cookie value a request sent, opened and its expiry and half-life judged; crypto only, no store. */
  TicketCheck verify(String cookieValue) {
    return tickets.verify(cookieValue);
  }

  /** {@link #verify(String)} at {@code nowMillis}, a reading of {@link #clock()} taken once for the request. */
  TicketCheck verify(String cookieValue, long nowMillis) {
    return tickets.verify(cookieValue, nowMillis);
  }

  /** The answer to a ticket {@link #verify} did not find valid. */
  static AuthCheck.Anonymous refusalOf(TicketCheck notValid) {
    if (notValid instanceof TicketCheck.Expired expired) {
      return AuthCheck.Anonymous.refused(
          AuditEventType.SESSION_EXPIRED,
          "auth ticket expired",
          expired.ticket().userHandle());
    }
    return AuthCheck.Anonymous.refused(
        AuditEventType.CRYPT_DECRYPT_FAIL,
        "auth cookie " + ((TicketCheck.NotValid) notValid).reason(),
        null);
  }

  static AuthCheck notBound(AuthTicket ticket) {
    return AuthCheck.Anonymous.refused(
        AuditEventType.AUTHN_TOKEN_INVALID,
        "auth ticket not bound to this session",
        ticket.userHandle());
  }

  RevocationStore revocations() {
    return revocations;
  }

  InstantSource clock() {
    return clock;
  }

  /**
   * The checks after the binding: the revocation answer, then the account. {@code sessionId} is the raw id of the
   * request's valid session, to which the ticket is bound; {@code pastHalfLife} from {@link OpenedTicket}, judged with
   * the ticket's expiry (one clock reading a request).
   */
  AuthCheck checkBound(
      AuthTicket ticket,
      String sessionId,
      SessionAndRevocationLookup.Revocation revocation,
      boolean pastHalfLife) {
    String user = ticket.userHandle();
    if (revocation == SessionAndRevocationLookup.Revocation.REVOKED) {
      return AuthCheck.Anonymous.refused(
          AuditEventType.AUTHN_TOKEN_REUSE, "revoked auth ticket presented", user);
    }
    if (revocation != SessionAndRevocationLookup.Revocation.NOT_REVOKED) {
      // The store did not answer: anonymous for now, but the cookie is kept.
      return AuthCheck.Anonymous.unavailable(
          AuditEventType.AUTHN_TOKEN_INVALID, "revocation store unavailable", user);
    }
    Optional<PortalUser> found;
    try {
      found = users.findByHandle(user);
    } catch (RuntimeException e) {
      // The directory did not answer (a database outage, say): the ticket is authentic and bound,
      // so the cookie is kept and the login works again once the directory answers.
      return AuthCheck.Anonymous.unavailable(
          AuditEventType.AUTHN_TOKEN_INVALID,
          "user directory unavailable: " + e.getClass().getSimpleName(),
          user);
    }
    if (found.isEmpty()) {
      return AuthCheck.Anonymous.refused(
          AuditEventType.AUTHN_TOKEN_INVALID, "user no longer exists", user);
    }
    LoginResult.Reason problem = LoginService.accountProblem(found.get());
    if (problem != null) {
      return AuthCheck.Anonymous.refused(
          AuditEventType.AUTHN_TOKEN_INVALID, "account " + problem, user);
    }
    if (pastHalfLife) {
      AuthTicket renewal = tickets.renew(ticket, sessionId);
      return new AuthCheck.Authenticated(found.get(), renewal, ticket, tickets.seal(renewal));
    }
    return new AuthCheck.Authenticated(found.get(), ticket, ticket, null);
  }

  /**
   * The auth ticket of the login {@code ticket} belongs to, moved to its session's new id {@code sessionId}: for an
   * application that changes the id of a logged-in user's session (after a privilege change, say), so that the user
   * stays logged in. The new ticket has a new id and the same user, organisation, issue, expiry and auth times as
   * {@code ticket}, and is bound to {@code sessionId} alone.
   *
   * <p><b>Security.</b> Nothing is checked here: {@code ticket} must be the one that authenticated the request (or the
   * one its login issued), bound to the session whose id was changed, and the old id must already be dead. The login
   * does not last longer for the move: an expiry, a revocation of the user's logins or an end of the session applies to
   * the new ticket as it did to the old one.
   */
  public IssuedTicket rebind(AuthTicket ticket, String sessionId) {
    Objects.requireNonNull(ticket, "ticket");
    Objects.requireNonNull(sessionId, "sessionId");
    AuthTicket moved = tickets.rebind(ticket, sessionId);
    return new IssuedTicket(moved, tickets.seal(moved));
  }

  /**
   * A login with the password form: size limits, then {@link LoginService#login} (throttle, credentials, account,
   * terms), then the login itself. When the user directory or the login limit's store does not answer, the login is
   * refused as {@linkplain LoginDecision.Refused#unavailable() unavailable} ({@code authn_login_fail}, the reason
   * {@code DIRECTORY_UNAVAILABLE} with the exception's type, or {@code UNAVAILABLE}); such an attempt counts against
   * no limit.
   *
   * @param username as typed; null when the form had none
   * @param password as typed; null when the form had none
   * @param acceptsTerms whether the form accepted the current terms of use
   * @param clientAddress the client's address, for the per-address throttle; null when unknown
   */
  public LoginDecision passwordLogin(
      String username,
      char[] password,
      boolean acceptsTerms,
      String clientAddress,
      LoginSession session) {
    if (username == null
        || password == null
        || username.isBlank()
        || username.length() > MAX_USERNAME
        || password.length > MAX_PASSWORD) {
      return LoginDecision.Refused.of(
          AuditEventType.AUTHN_LOGIN_FAIL, "missing or oversized credentials", null);
    }
    LoginResult result = passwords.login(username, password, acceptsTerms, clientAddress);
    if (result instanceof LoginResult.Refused refused) {
      LoginResult.Reason reason = refused.reason();
      AuditEventType type = reason == LoginResult.Reason.THROTTLED
          ? AuditEventType.AUTHN_LOGIN_LOCK
          : reason == LoginResult.Reason.BUSY
              ? AuditEventType.AUTHN_LOGIN_BUSY
              : AuditEventType.AUTHN_LOGIN_FAIL;
      String why =
          refused.detail() == null ? reason.name() : reason.name() + ": " + refused.detail();
      boolean outage = reason == LoginResult.Reason.UNAVAILABLE
          || reason == LoginResult.Reason.DIRECTORY_UNAVAILABLE;
      return new LoginDecision.Refused(AuditNote.failure(type, why), refused.user(), outage);
    }
    LoginResult.Success ok = (LoginResult.Success) result;
    List<AuditNote> notes = new ArrayList<>(2);
    if (ok.acceptedTermsNow()) {
      notes.add(terms.acceptedNote());
    }
    notes.add(AuditNote.success(AuditEventType.AUTHN_LOGIN_SUCCESS));
    return start(ok.user(), session, "login could not start: ", notes);
  }

  /**
   * A login through single sign-on, by an identity the OpenID provider has just verified: the account linked to it
   * logs in if it may. When the account-link store, the user directory or the session store does not answer, the
   * login is refused as {@linkplain LoginDecision.Refused#unavailable() unavailable} ({@code authn_login_fail}, the
   * reason naming the store and the exception's type, never its message).
   *
   * <p><b>Security.</b> The link is read again once the login's session and ticket exist: a link removed meanwhile
   * ("log out everywhere" on another node, which ends the user's logins and then removes their links) refuses the
   * login and ends its session ({@code authn_login_fail}, reason {@code SSO login: link removed while the login
   * started}), since the ticket, issued after that cut-off, would outlive it.
   *
   * @param links where identities are linked to accounts
   * @param issuer the verified ID token's issuer
   * @param subject the verified ID token's subject
   */
  public LoginDecision ssoLogin(
      AccountLinkStore links, String issuer, String subject, LoginSession session) {
    Optional<String> handle;
    try {
      handle = links.userFor(issuer, subject);
    } catch (RuntimeException e) {
      return LoginDecision.Refused.unavailable(
          AuditEventType.AUTHN_LOGIN_FAIL,
          "SSO login: account-link store unavailable: " + e.getClass().getSimpleName(),
          null);
    }
    Optional<PortalUser> user;
    try {
      user =
          handle.flatMap(users::findByHandle).filter(u -> LoginService.accountProblem(u) == null);
    } catch (RuntimeException e) {
      return LoginDecision.Refused.unavailable(
          AuditEventType.AUTHN_LOGIN_FAIL,
          "SSO login: user directory unavailable: " + e.getClass().getSimpleName(),
          null);
    }
    if (user.isEmpty()) {
      return LoginDecision.Refused.of(
          AuditEventType.AUTHN_LOGIN_FAIL, "SSO login: no usable linked account", null);
    }
    LoginDecision started = start(
        user.get(),
        session,
        "SSO login could not start: ",
        List.of(AuditNote.success(AuditEventType.AUTHN_LOGIN_SUCCESS).withAction("sso_login")));
    if (!(started instanceof LoginDecision.Accepted)) {
      return started;
    }
    // The link was read before the account lookup and the session's rotation. "Log out everywhere"
    // on any node stores its cut-off and then removes the user's links; a login whose ticket is
    // issued after that cut-off is not covered by it, so it is let through only if the link it
    // came by still stands once the ticket exists.
    String stillLinked;
    try {
      stillLinked = links.userFor(issuer, subject).orElse(null);
    } catch (RuntimeException e) {
      session.end();
      return LoginDecision.Refused.unavailable(
          AuditEventType.AUTHN_LOGIN_FAIL,
          "SSO login: account-link store unavailable: " + e.getClass().getSimpleName(),
          user.get());
    }
    if (!user.get().handle().equals(stillLinked)) {
      session.end();
      return LoginDecision.Refused.of(
          AuditEventType.AUTHN_LOGIN_FAIL,
          "SSO login: link removed while the login started",
          user.get());
    }
    return started;
  }

  /**
   * Logs out: the ticket is revoked (on every node sharing the revocation store), with {@code everywhere} every
   * ticket the user holds now and every session of theirs end too, and the request's session ends. A store that
   * fails makes the logout a failure in the audit log, and what it could not end lives until it times out; use
   * {@link #logout(Optional, boolean, LoginSession, PendingLogouts)} to finish it once the store answers.
   *
   * @param ticket the ticket the request was authenticated with; empty when it was anonymous
   */
  public LogoutDecision logout(
      Optional<AuthTicket> ticket, boolean everywhere, LoginSession session) {
    return logout(ticket, everywhere, session, null);
  }

  /**
   * Logs out as {@link #logout(Optional, boolean, LoginSession)} does, and when a store fails keeps what is left to
   * do in {@code pending}, which finishes it in the background once the store answers: the ticket's revocation (and
   * with {@code everywhere} the user's cut-off and sessions) and the deletion of the request's session, by its store
   * key ({@link LoginSession#storeKey()}). The decision's note is then a failure that says so; the finished logout is
   * recorded by {@code pending}.
   *
   * <p><b>Security.</b> Never throws for a store failure: the caller still expires the browser's cookies. While the
   * entry is pending, {@link PendingLogouts#holds} refuses the ticket on this node.
   *
   * @param ticket the ticket the request presented: the authenticated one, or for a request left anonymous by a store
   *     that did not answer, {@link #ticketForLogout}; empty when there is none
   * @param pending where unfinished work is kept; null to keep none
   */
  public LogoutDecision logout(
      Optional<AuthTicket> ticket,
      boolean everywhere,
      LoginSession session,
      PendingLogouts pending) {
    if (ticket.isEmpty()) {
      session.end();
      return new LogoutDecision.NotLoggedIn();
    }
    AuthTicket t = ticket.get();
    Instant cutOff = everywhere ? clock.instant() : null;
    PendingLogouts.Entry work =
        new PendingLogouts.Entry(t, cutOff, cutOff == null ? null : keepCutOffUntil(cutOff), null);
    String failure = null;
    try {
      revocations.revoke(t.ticketIdHex(), t.expiresAt());
      work.ticketRevoked = true;
    } catch (RuntimeException e) {
      failure = "revocation store failed: " + e.getClass().getSimpleName();
    }
    if (everywhere) {
      try {
        revocations.revokeAllIssuedBefore(t.userHandle(), cutOff, work.expiresAt);
        work.cutOffStored = true;
      } catch (RuntimeException e) {
        failure = "revocation store failed: " + e.getClass().getSimpleName();
      }
      try {
        session.endAllOf(t.userHandle());
        work.userSessionsEnded = true;
      } catch (RuntimeException e) {
        failure = failure != null
            ? failure
            : "session store failed to end the user's sessions: " + e.getClass().getSimpleName();
      }
    }
    SessionKey key = session.storeKey();
    if (!session.end()) {
      // The session and what it remembers outlive the logout on the server until they time out,
      // unless the pending logout deletes it.
      work.sessionKey = key;
      work.sessionEnded = key == null;
      failure = failure != null ? failure : "session store failed to delete the session";
    }
    AuditEventType type = everywhere ? AuditEventType.SESSION_REVOKED : AuditEventType.LOGOUT;
    AuditNote note;
    if (failure == null) {
      note = AuditNote.success(type);
    } else if (pending != null && !work.done() && pending.keep(work)) {
      note = AuditNote.failure(
          type, failure + "; ending the rest on the server is pending until the store answers");
    } else {
      note = AuditNote.failure(type, failure);
    }
    return new LogoutDecision.LoggedOut(
        note.withAction(everywhere ? "logout_everywhere" : "logout"));
  }

  /**
   * Ends every login of {@code userHandle}, for an administrator's tool: each auth ticket of a login of the user made
   * up to now, renewals included (a renewal answered on another node just after this call, by a request checked just
   * before it, too), and each legacy login cookie issued up to now ({@link LegacyUpgrade}), is refused from its next
   * request on, in every browser and on every node that shares the revocation store
   * ({@code authn_token_reuse}, reason {@code revoked auth ticket presented}). For a password changed or reset by an
   * administrator (a new password ends no login by itself), an account taken over, or any user who must be cut off at
   * once. The user's sessions stay until they time out unless the tool also deletes them
   * ({@link dev.portcullis.session.SessionRegistry#deleteByUser}); a login after this call is not affected.
   *
   * <p>Nothing is recorded here: the tool records who did it, and why, in its audit log. Unlike a logout nothing is
   * left for later: a store that fails throws, and the tool tries again.
   *
   * @throws StoreUnavailableException when the revocation store did not take the cut-off
   */
  public void revokeAll(String userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    Instant cutOff = clock.instant();
    try {
      revocations.revokeAllIssuedBefore(userHandle, cutOff, keepCutOffUntil(cutOff));
    } catch (StoreUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(
          "revocation store failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Until when a cut-off of a user's logins made at {@code cutOff} is kept: the latest expiry of a ticket it covers. A
   * cut-off covers the tickets of every login made up to it, renewals included (a renewal keeps its login's
   * {@code authTime}); a renewal issued just after the cut-off, by a request whose revocation check came just before
   * it (on another node, or on a clock ahead), expires up to a ticket lifetime after the cut-off plus that request's
   * time. Two lifetimes cover it, so the cut-off is never forgotten while such a renewal could still be renewed again.
   * With a legacy login upgraded through this login, until its sunset if that is later.
   */
  private Instant keepCutOffUntil(Instant cutOff) {
    Instant renewals = cutOff.plus(ticketLifetime.multipliedBy(2));
    Instant sunset = legacySunset.get();
    return sunset != null && sunset.isAfter(renewals) ? sunset : renewals;
  }

  /**
   * Keeps every later cut-off until {@code sunset} at least: a legacy login cookie ({@link LegacyUpgrade}) issued
   * before a cut-off can be presented for the first time long after two ticket lifetimes, up to its sunset, and must
   * still be refused then.
   */
  void keepCutOffsUntilAtLeast(Instant sunset) {
    Objects.requireNonNull(sunset, "sunset");
    legacySunset.accumulateAndGet(
        sunset, (kept, offered) -> kept == null || offered.isAfter(kept) ? offered : kept);
  }

  /**
   * The ticket of a request that is anonymous only because a store did not answer when its auth cookie was checked
   * (the session store, or the revocation store), for {@link #logout(Optional, boolean, LoginSession,
   * PendingLogouts)}: the cookie opens under the key ring, has not expired and is bound to {@code sessionId}, the
   * request's session id. Empty otherwise. No store is asked.
   *
   * <p><b>Security.</b> For logout only: the ticket was not checked for revocation nor its account, so it must never
   * make a request authenticated. Revoking it can only end access.
   *
   * @param cookieValues every value the request sent for the auth cookie; more than one gives none
   * @param sessionId the id the request's session cookie carries; null for none
   */
  public Optional<AuthTicket> ticketForLogout(List<String> cookieValues, SessionId sessionId) {
    OpenedTicket opened = openTicket(cookieValues);
    if (opened.ticket() == null || sessionId == null || !opened.ticket().isBoundTo(sessionId)) {
      return Optional.empty();
    }
    return Optional.of(opened.ticket());
  }

  /**
   * How many password logins this node checks at once ({@link Builder#maxConcurrentPasswordChecks}): the value set, or
   * the default the node worked out when this was built.
   */
  public int maxConcurrentPasswordChecks() {
    return maxConcurrentPasswordChecks;
  }

  /** How often an open connection's login is checked again ({@link Builder#connectionRecheckInterval}). */
  public Duration connectionRecheckInterval() {
    return connectionRecheckInterval;
  }

  /** How many unfinished logouts this node keeps for the background ({@link Builder#maxPendingLogouts}). */
  public int maxPendingLogouts() {
    return maxPendingLogouts;
  }

  /** The most concurrent sessions a user may have; 0 for no limit (the default). */
  public int maxSessionsPerUser() {
    return maxSessionsPerUser;
  }

  /** What a login past {@link #maxSessionsPerUser()} does; null when there is no limit. */
  public Optional<SessionLimit> whenSessionsExceeded() {
    return Optional.ofNullable(whenSessionsExceeded);
  }

  /**
   * Starts the login of {@code user}, who has passed the checks of the kind of login asking: the concurrent-session
   * limit is applied, the session is rotated to the user and a ticket bound to the new id is issued. A failure refuses
   * the login with {@code failurePrefix} and the exception's type as the reason; a session store that does not answer
   * ({@link StoreUnavailableException}, as {@link LoginSession#rotateTo} throws it) refuses it as
   * {@linkplain LoginDecision.Refused#unavailable() unavailable}, the reason saying so.
   */
  LoginDecision start(
      PortalUser user, LoginSession session, String failurePrefix, List<AuditNote> notes) {
    if (maxSessionsPerUser > 0) {
      LimitOutcome limited = applySessionLimit(user, session, failurePrefix);
      if (limited.refusal() != null) {
        return limited.refusal();
      }
      if (limited.note() != null) {
        List<AuditNote> withLimit = new ArrayList<>(notes.size() + 1);
        withLimit.add(limited.note());
        withLimit.addAll(notes);
        notes = withLimit;
      }
    }
    IssuedTicket issued;
    try {
      String sessionId = session.rotateTo(user.handle());
      AuthTicket t =
          tickets.newTicket(user.handle(), user.organisation(), sessionId, ticketLifetime);
      issued = new IssuedTicket(t, tickets.seal(t));
    } catch (StoreUnavailableException e) {
      return LoginDecision.Refused.unavailable(
          AuditEventType.AUTHN_LOGIN_FAIL,
          failurePrefix + SESSION_STORE_UNAVAILABLE + e.getClass().getSimpleName(),
          user);
    } catch (RuntimeException e) {
      return LoginDecision.Refused.of(
          AuditEventType.AUTHN_LOGIN_FAIL, failurePrefix + e.getClass().getSimpleName(), user);
    }
    return new LoginDecision.Accepted(user, issued, notes);
  }

  /**
   * The session store did not answer the concurrent-session limit's questions: the login is not decided, as for any
   * store outage.
   */
  private static LoginDecision.Refused sessionLimitUnavailable(
      StoreUnavailableException e, PortalUser user, String failurePrefix) {
    return LoginDecision.Refused.unavailable(
        AuditEventType.AUTHN_LOGIN_FAIL,
        failurePrefix + "session limit: " + SESSION_STORE_UNAVAILABLE
            + e.getClass().getSimpleName(),
        user);
  }

  /** The concurrent-session limit applied to one login: a refusal, or the note of what was ended, or neither. */
  private record LimitOutcome(LoginDecision.Refused refusal, AuditNote note) {}

  /**
   * The user's other live sessions counted before the login: at the limit, the oldest are ended or the login refused.
   * Without a lock across nodes, logins of one user racing each other can each see room and overshoot the limit by as
   * many as race. A store that fails refuses the login (fail closed), as unavailable when it does not answer
   * ({@link StoreUnavailableException}).
   */
  private LimitOutcome applySessionLimit(
      PortalUser user, LoginSession session, String failurePrefix) {
    List<StoredSession> others;
    try {
      others = session.otherSessionsOf(user.handle());
    } catch (StoreUnavailableException e) {
      return new LimitOutcome(sessionLimitUnavailable(e, user, failurePrefix), null);
    } catch (RuntimeException e) {
      return new LimitOutcome(
          LoginDecision.Refused.of(
              AuditEventType.AUTHN_LOGIN_FAIL,
              failurePrefix + "session limit: " + e.getClass().getSimpleName(),
              user),
          null);
    }
    int excess = others.size() - (maxSessionsPerUser - 1);
    if (excess <= 0) {
      return new LimitOutcome(null, null);
    }
    if (whenSessionsExceeded == SessionLimit.REFUSE_NEW) {
      return new LimitOutcome(
          LoginDecision.Refused.of(
              AuditEventType.SESSION_LIMIT_REFUSED,
              others.size() + " sessions open, at most " + maxSessionsPerUser + " allowed",
              user),
          null);
    }
    int ended = 0;
    try {
      for (int i = 0; i < excess; i++) {
        if (session.endSession(others.get(i).key())) {
          ended++;
        }
      }
    } catch (StoreUnavailableException e) {
      return new LimitOutcome(sessionLimitUnavailable(e, user, failurePrefix), null);
    } catch (RuntimeException e) {
      return new LimitOutcome(
          LoginDecision.Refused.of(
              AuditEventType.AUTHN_LOGIN_FAIL,
              failurePrefix + "session limit: " + e.getClass().getSimpleName(),
              user),
          null);
    }
    return new LimitOutcome(
        null,
        AuditNote.success(AuditEventType.SESSION_LIMIT_ENDED)
            .withReason("ended " + ended + " oldest of " + others.size() + " sessions, at most "
                + maxSessionsPerUser + " allowed"));
  }

  /** Collects the settings; {@link #build()} checks them and leaves the builder as it was. Not thread-safe. */
  public static final class Builder {
    private KeyRingSource keyRing;
    private UserDirectory users;
    private RevocationStore revocations;
    private LoginThrottle throttle;
    private InstantSource clock;
    private SecureRandom random;
    private String termsVersion;
    private CookieSpec authCookie;
    private CookieSpec cookieCheckCookie;
    private String cookieNamePrefix = CookieNames.DEFAULT_PREFIX;
    private boolean cookieCheckBySessionCookie;
    private Duration ticketLifetime = Duration.ofHours(8);
    private String loginPath = "/login";
    private String logoutPath = "/logout";
    private String logoutEverywherePath = "/logout-everywhere";
    private String termsPath = "/terms";
    private String afterLoginPath = "/";
    private int maxSessionsPerUser;
    private SessionLimit whenSessionsExceeded;
    private Integer maxConcurrentPasswordChecks;
    private int maxPendingLogouts = PendingLogouts.DEFAULT_CAPACITY;
    private Duration connectionRecheckInterval = OpenConnections.DEFAULT_INTERVAL;

    private Builder() {}

    /**
     * How often the login behind an open connection (a WebSocket the application watches through
     * {@link OpenConnections}) is checked again, as a request would be; default 30 seconds. A login ended on another
     * node, a ticket that expired, an account disabled or a role removed closes the connection at the next check; a
     * logout on this node closes it at once.
     *
     * @param interval from 1 second to 1 hour
     */
    public Builder connectionRecheckInterval(Duration interval) {
      this.connectionRecheckInterval = interval;
      return this;
    }

    /**
     * At most {@code max} logouts that a store could not finish are kept on this node to finish once it answers
     * ({@link PendingLogouts}); default {@value PendingLogouts#DEFAULT_CAPACITY}. When that many are pending, the
     * oldest is dropped unfinished, counted and recorded in the audit log.
     *
     * @param max from 1 to 1,000,000
     */
    public Builder maxPendingLogouts(int max) {
      this.maxPendingLogouts = max;
      return this;
    }

    /**
     * At most {@code max} password logins checked at once on this node: the login limit's reservation, the password
     * check and the directory's calls. Default: half the processors the JVM may use
     * ({@link Runtime#availableProcessors()}), at least one; the checks are bound by the processors, so more at once
     * would check no faster. A login that finds every place taken waits for one, in turn, for at most a second while
     * fewer than 16 logins per place wait; otherwise it is refused at once without a store call or password check,
     * audited as {@code authn_login_busy} with the reason {@code BUSY} (the node's load, not the account's, so a type
     * apart from {@code authn_login_lock}), and answered as any refused login.
     *
     * <p><b>Security.</b> Without a bound, anyone posting many logins at once (wrong passwords, unknown or random
     * names) ran as many Argon2id checks at once as the container had threads: every processor and 19 MiB a check
     * taken, and the pooled connections of the login's database stores held by threads waiting for a processor, so
     * that logged-in users' requests waited for a connection past its timeout and were sent to log in. With it, a
     * flood costs at most {@code max} checks' worth of processors and memory and at most {@code max} of the login's
     * database calls at once, none held across a check ({@code JdbcUserDirectory} gives its connection back before
     * the password is checked), whatever the pool's size. While a flood keeps the places full, other visitors' logins
     * may be refused too (they try again later); users who are logged in carry on.
     *
     * @param max at least 1
     */
    public Builder maxConcurrentPasswordChecks(int max) {
      this.maxConcurrentPasswordChecks = max;
      return this;
    }

    /**
     * At most {@code max} concurrent sessions per user, enforced at every login (password, single sign-on, legacy
     * upgrade): a login that would be the user's {@code max + 1}th live session ends the oldest ones
     * ({@link SessionLimit#END_OLDEST}) or is refused ({@link SessionLimit#REFUSE_NEW}). Off by default.
     *
     * <p>The sessions are counted in the session store at login, with no lock across nodes: logins of one user that
     * race each other may each see room, so the user can end up over the limit by as many logins as raced. A session
     * store that fails at that count refuses the login.
     *
     * @param max at least 1
     */
    public Builder maxSessionsPerUser(int max, SessionLimit whenExceeded) {
      this.maxSessionsPerUser = max;
      this.whenSessionsExceeded = Objects.requireNonNull(whenExceeded, "whenExceeded");
      return this;
    }

    public Builder keyRing(KeyRingSource keyRing) {
      this.keyRing = keyRing;
      return this;
    }

    public Builder users(UserDirectory users) {
      this.users = users;
      return this;
    }

    public Builder revocations(RevocationStore revocations) {
      this.revocations = revocations;
      return this;
    }

    /**
     * Optional; by default 100 password checks per account and 1,000 per address per hour, in memory, with known
     * addresses kept 30 days (see {@link LoginThrottle}).
     */
    public Builder throttle(LoginThrottle throttle) {
      this.throttle = throttle;
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    /** The current terms-of-use version (required): logging in means accepting it. */
    public Builder termsVersion(String termsVersion) {
      this.termsVersion = termsVersion;
      return this;
    }

    /** The auth cookie; default {@link LoginCookies#defaultAuthCookie} named {@code __Host-portcullis-auth}. */
    public Builder authCookie(CookieSpec authCookie) {
      this.authCookie = authCookie;
      return this;
    }

    /**
     * The cookie-check cookie; default {@link LoginCookies#defaultCookieCheckCookie} named
     * {@code __Host-portcullis-cc}.
     */
    public Builder cookieCheckCookie(CookieSpec cookieCheckCookie) {
      this.cookieCheckCookie = cookieCheckCookie;
      return this;
    }

    /**
     * The prefix of the default cookie names ({@link CookieNames#withPrefix}): {@code staff} names the auth cookie
     * {@code __Host-staff-auth} and the cookie-check cookie {@code __Host-staff-cc}, for an application that shares
     * its host with another. A cookie declared with {@link #authCookie} or {@link #cookieCheckCookie} keeps its own
     * name. Default {@value CookieNames#DEFAULT_PREFIX}.
     */
    public Builder cookieNamePrefix(String prefix) {
      this.cookieNamePrefix = prefix;
      return this;
    }

    /**
     * No cookie-check cookie: the session cookie does the blocked-cookie check. The login page gives a browser that
     * sends no well-formed session cookie a fresh session id that names no stored session (nothing is stored for it,
     * so a flood of login pages still fills no store), the login form's token is bound to that id, and a login
     * {@code POST} without the session cookie gets the blocked-cookie page. A login still moves the session to a new
     * id. For a portal that must set no cookie beyond the session and auth cookies (and the SSO-upgrade cookie where
     * single sign-on is on). Cannot be combined with {@link #cookieCheckCookie}.
     *
     * <p><b>Security.</b> The login form's token is then bound to a cookie value the browser holds, as with the
     * cookie-check cookie; a session cookie without the {@code __Host-} prefix can be set by a sibling host of the
     * same site (cookie tossing), which would let that host plant a value whose token it knows and forge a login
     * form. The session itself is never taken from that value.
     */
    public Builder cookieCheckBySessionCookie() {
      this.cookieCheckBySessionCookie = true;
      return this;
    }

    /** How long a ticket lives before it must be renewed by use; default 8 hours. */
    public Builder ticketLifetime(Duration ticketLifetime) {
      this.ticketLifetime = ticketLifetime;
      return this;
    }

    public Builder loginPath(String path) {
      this.loginPath = path;
      return this;
    }

    public Builder logoutPath(String path) {
      this.logoutPath = path;
      return this;
    }

    public Builder logoutEverywherePath(String path) {
      this.logoutEverywherePath = path;
      return this;
    }

    public Builder termsPath(String path) {
      this.termsPath = path;
      return this;
    }

    /** Where a login without a (safe) return target goes; default {@code /}. */
    public Builder afterLoginPath(String path) {
      this.afterLoginPath = path;
      return this;
    }

    /**
     * Checks the settings and returns the login.
     *
     * @throws IllegalStateException when something required is missing or the settings contradict each other
     */
    public PortalLogin build() {
      require(keyRing != null, "a key ring is required: Portcullis has no default key");
      require(users != null, "a user directory is required");
      require(
          revocations != null,
          "a revocation store is required (RevocationStore.inMemory(clock) on one node)");
      require(clock != null, "a clock is required");
      require(random != null, "a SecureRandom is required");
      require(
          termsVersion != null && !termsVersion.isBlank(),
          "the current terms-of-use version is required");
      require(
          ticketLifetime != null
              && !ticketLifetime.isNegative()
              && !ticketLifetime.isZero()
              && ticketLifetime.compareTo(Duration.ofDays(1)) <= 0,
          "the ticket lifetime must be between 1 ms and 1 day");
      require(
          whenSessionsExceeded == null || maxSessionsPerUser >= 1,
          "maxSessionsPerUser must be at least 1");
      require(
          maxConcurrentPasswordChecks == null || maxConcurrentPasswordChecks >= 1,
          "maxConcurrentPasswordChecks must be at least 1");
      require(
          maxPendingLogouts >= 1 && maxPendingLogouts <= 1_000_000,
          "maxPendingLogouts must be between 1 and 1,000,000");
      require(
          connectionRecheckInterval != null
              && OpenConnections.allowsInterval(connectionRecheckInterval),
          "connectionRecheckInterval must be between 1 second and 1 hour");
      LoginEndpoints endpoints = new LoginEndpoints(
          loginPath, logoutPath, logoutEverywherePath, termsPath, afterLoginPath);
      require(
          !cookieCheckBySessionCookie || cookieCheckCookie == null,
          "cookieCheckBySessionCookie() and cookieCheckCookie(...) contradict each other: the session cookie"
              + " does the cookie check, so there is no cookie-check cookie to declare; drop one of them");
      require(cookieNamePrefix != null, "the cookie name prefix must not be null");
      CookieNames names = CookieNames.withPrefix(cookieNamePrefix);
      LoginCookies cookies = new LoginCookies(
          Objects.requireNonNullElseGet(
              authCookie, () -> LoginCookies.defaultAuthCookie(names.auth())),
          cookieCheckBySessionCookie
              ? Optional.empty()
              : Optional.of(Objects.requireNonNullElseGet(
                  cookieCheckCookie,
                  () -> LoginCookies.defaultCookieCheckCookie(names.cookieCheck()))));
      return new PortalLogin(this, cookies, endpoints);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalStateException(message);
      }
    }
  }
}
