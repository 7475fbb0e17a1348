package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.internal.KeyAgeText;
import dev.portcullis.internal.Sha256;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.LoginDecision;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SafeRedirect;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionAndRevocationLookup;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.PendingLink;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.sso.internal.UpgradeTokens;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;

/**
 * Single sign-on through an OpenID provider.
 *
 * <p>Every {@code POST} here has passed the CSRF stage, which runs first.
 *
 * <ul>
 *   <li>{@code POST} upgrade path: redeems the upgrade cookie (offered after a password login by
 *       {@link SsoUpgradeOffer}; {@code sso_upgrade_redeemed}) and sends the browser to the provider to link the
 *       account, asking it to authenticate the user again.
 *   <li>{@code POST} SSO login path: sends the browser to the provider to log in with a linked identity; refused while
 *       a user is logged in (no silent switch of user) and while an account link is under way or pending in the
 *       session. A cross-site {@code GET} gets 405 and changes nothing.
 *   <li>{@code GET} callback path: checks state (a callback without the session's state is refused and leaves the
 *       authorization under way as it was, so a cross-site {@code GET} cannot cancel it; the matching callback
 *       consumes it, in the session and in the {@link dev.portcullis.sso.ReplayStore}, so that it completes once
 *       even when the session is not saved or two arrive at once), exchanges the code (PKCE), validates the ID
 *       token with the nonce, then, for a link, keeps the identity as the session's {@link PendingLink}
 *       ({@code sso_link_pending}), stored before the browser is sent to the confirmation page (a session store that
 *       does not take it: {@code 503} and a fresh upgrade cookie, as the old one and the code are spent); for a login
 *       asks {@link PortalLogin#ssoLogin} to log the linked user in, and carries out its decision like every other
 *       login.
 *       A login's callback is refused, as its {@code POST} is, while a user is logged in, before the code is
 *       exchanged. When a store does not answer (the session store for the callback's session or as the login
 *       rotates it, the account-link store, the user directory, the replay store), the callback is not refused but
 *       answered with the plain {@code 503} of the password login's outage, audited as {@code authn_login_fail} (for
 *       a link, {@code sso_link}) with the store and the exception's type.
 *   <li>Link path: {@code GET} shows the pending identity (issuer, subject and the token's email or name, escaped)
 *       with a form; {@code POST decision=confirm} stores the link ({@code sso_link}), {@code decision=cancel}
 *       discards it ({@code sso_link_cancelled}). Either way the pending link is gone, except when the account-link
 *       store does not answer the confirmation: a plain {@code 503}, and the pending link waits for the same
 *       confirmation once it does.
 *   <li>{@code POST} unlink path with {@code issuer} and {@code subject}: removes that identity from the logged-in
 *       user's links ({@code sso_unlink}) and sends the browser to the form's optional {@code returnTo} field (a safe
 *       relative path) or else the after-login page.
 * </ul>
 *
 * <p>A login or link goes to the provider only once the session holding its authorization is stored: a session store
 * that cannot look the browser's session up or save it, or a replay store that cannot redeem the upgrade cookie,
 * gets the plain {@code 503} of an outage and no redirect, audited as the flow's failure with the store named. A link
 * spends the upgrade cookie only once its authorization is stored, after every other check: a provider, session store
 * or replay store that does not answer, and a request left anonymous because a store could not check its login, leave
 * the cookie as usable as it was, so that the same cookie starts the link once the stores answer. Of two starts with
 * one cookie, only one redeems it ({@link dev.portcullis.sso.ReplayStore#markUsed} is atomic).
 *
 * <p>Starting a link, confirming one and unlinking need a recent login to the portal ({@link SsoConfig#maxLoginAge()},
 * measured from the auth ticket's {@code authTime}): an older one is recorded as a failed {@code sso_link} or
 * {@code sso_unlink} and sent to the login page, with {@code returnTo} the form's optional {@code returnTo} field (a
 * safe relative path) or else the after-login page, so that a browser left logged in cannot change how its account
 * logs in without the password.
 *
 * <p>Any login (password, legacy cookie or single sign-on) ends what the session has under way here: the
 * authorization's state, nonce, verifier and intent and a pending link are removed ({@link #endFlowsOnLogin}), so the
 * provider's answer to a login or link started before cannot complete for whoever is logged in now. A link started
 * after the login (the upgrade offered by that login) is not affected.
 *
 * <p>A redemption succeeds only for the browser's own session, once, before the token expires, with the logged-in
 * user the token was issued to. Every refusal answers a generic 403 and records the reason in the audit log; a
 * replayed token is recorded as {@code authn_token_reuse}. Whatever fails in an account link, from its start at the
 * provider to its confirmation, is a failed {@code sso_link} with the user who asked to link as actor; whatever fails
 * in a login is {@code authn_login_fail}. Once the provider has authenticated an identity, the link events name it
 * as their resource ({@link #identity}); tokens, codes and secrets never reach the audit log. Identities are matched
 * by (issuer, subject) only, never by email. The redirect URI sent to the provider is
 * {@link SsoConfig#redirectUri()}, never built from the request's {@code Host} header or scheme.
 */
final class SsoStage extends Stage {
  static final String REFUSED =
      "This link has expired or is not valid. Log in again to link your account.";
  static final String SSO_FAILED =
      "Single sign-on did not work. Go back to the login page and try again.";
  static final String ALREADY_LOGGED_IN =
      "You are already logged in. Log out first to log in as someone else.";
  static final String NO_PENDING_LINK =
      "No account link is waiting for your confirmation. Log in and start again.";
  static final String NOT_UNLINKED = "That single sign-on account is not linked to your account.";
  /** The session attribute holding the {@link PendingLink}, one per session. */
  static final String PENDING = "portcullis.sso.pending";
  /** The confirmation form's field: {@code confirm} or {@code cancel}. */
  static final String DECISION = "decision";
  /**
   * Session attributes of an authorization under way; removed, all together, by the callback that carries its state
   * and by any login ({@link #endFlowsOnLogin}).
   */
  private static final String STATE = "portcullis.sso.state";

  private static final String NONCE = "portcullis.sso.nonce";
  private static final String VERIFIER = "portcullis.sso.verifier";
  private static final String STARTED = "portcullis.sso.started";
  /** {@code link:<user handle>} or {@code login}. */
  private static final String INTENT = "portcullis.sso.intent";

  /** Every attribute of an authorization under way. */
  private static final List<String> AUTHORIZATION =
      List.of(STATE, NONCE, VERIFIER, INTENT, STARTED);

  private static final String LINK = "link:";
  /** The replay store's id of a callback's state: this prefix and the state's SHA-256, never the state. */
  private static final String CALLBACK_STATE = "sso-state:";

  private static final Duration AUTHORIZATION_LIFETIME = Duration.ofMinutes(10);

  private final SsoConfig config;
  private final UpgradeTokens tokens;
  private final OidcClient oidc;
  private final PortalLogin login;
  private final LoginEffects effects;
  private final InstantSource clock;
  private final AuditTrail audit;

  SsoStage(
      SsoConfig config,
      UpgradeTokens tokens,
      OidcClient oidc,
      PortalLogin login,
      LoginEffects effects,
      InstantSource clock,
      AuditTrail audit) {
    this.config = config;
    this.tokens = tokens;
    this.oidc = oidc;
    this.login = login;
    this.effects = effects;
    this.clock = clock;
    this.audit = audit;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    String method = exchange.method();
    String path = Paths.path(exchange);
    if (path.equals(config.upgradePath())) {
      if (method.equals("POST")) {
        redeem(exchange);
      } else {
        notAllowed(exchange, "POST");
      }
    } else if (path.equals(config.loginPath())) {
      if (method.equals("POST")) {
        startLogin(exchange);
      } else {
        notAllowed(exchange, "POST");
      }
    } else if (path.equals(config.callbackPath())) {
      if (method.equals("GET")) {
        callback(exchange);
      } else {
        notAllowed(exchange, "GET");
      }
    } else if (path.equals(config.linkPath())) {
      if (method.equals("GET") || method.equals("HEAD")) {
        showPending(exchange);
      } else if (method.equals("POST")) {
        decide(exchange);
      } else {
        notAllowed(exchange, "GET, HEAD, POST");
      }
    } else if (path.equals(config.unlinkPath())) {
      if (method.equals("POST")) {
        unlink(exchange);
      } else {
        notAllowed(exchange, "POST");
      }
    } else {
      if (exchange.principal() != null) {
        // Asked only if the application shows the offer: most requests never ask the link store.
        exchange.upgradeOfferCheck(this::upgradeOffered);
      }
      next.proceed();
    }
  }

  /**
   * Whether to show the upgrade offer ({@link PortcullisFilter#ssoUpgradeOffered}): the logged-in user's browser holds
   * one upgrade cookie that a redemption would accept (sealed by this portal, unexpired, of this session and this
   * user) and the account has no linked identity. Any other cookie is expired and the reason audited. The cookie
   * outlives the moment it was set, so the link store is asked now; a linked account's cookie is expired, so that the
   * next pages do not ask again.
   */
  private boolean upgradeOffered(Exchange exchange) {
    PortalPrincipal principal = exchange.principal();
    List<String> values = Cookies.values(exchange, config.cookie().name());
    if (principal == null || values.isEmpty()) {
      return false;
    }
    String problem;
    try {
      problem = upgradeCookieProblem(exchange, principal, values);
    } catch (RuntimeException e) {
      audit.emit(
          exchange,
          AuditEventType.SSO_UPGRADE_OFFERED,
          b -> b.failure("upgrade cookie not checked: " + e.getClass().getSimpleName()));
      return false;
    }
    if (problem != null) {
      exchange.setCookie(SetCookie.expire(config.cookie()));
      audit.emit(
          exchange,
          AuditEventType.SSO_UPGRADE_OFFERED,
          b -> b.failure("upgrade cookie not valid: " + problem));
      return false;
    }
    boolean linked;
    try {
      linked = config.links().isLinked(principal.getName());
    } catch (RuntimeException e) {
      audit.emit(
          exchange,
          AuditEventType.SSO_UPGRADE_OFFERED,
          b -> b.failure("link store failed: " + e.getClass().getSimpleName()));
      return false;
    }
    if (linked) {
      exchange.setCookie(SetCookie.expire(config.cookie()));
      return false;
    }
    return true;
  }

  /**
   * Why the upgrade cookie {@code values} would not be redeemed by {@code principal}'s session, leaving aside whether
   * it was redeemed before (the redemption expires it); null when it would be.
   */
  private String upgradeCookieProblem(
      Exchange exchange, PortalPrincipal principal, List<String> values) {
    if (values.size() != 1) {
      return "duplicate upgrade cookies";
    }
    Session session = exchange.sessions().session(false);
    if (session == null) {
      return "no session";
    }
    UpgradeTokens.Check checked = tokens.check(values.get(0), session.id().cookieValue());
    if (checked instanceof UpgradeTokens.Check.Invalid invalid) {
      return invalid.reason();
    }
    if (!((UpgradeTokens.Check.Valid) checked).token().userHandle().equals(principal.getName())) {
      return "upgrade token of another user";
    }
    return null;
  }

  /**
   * {@code POST} SSO login: refused while someone is logged in or an account link is under way or pending, so that
   * neither a user nor a link in progress is replaced unseen.
   */
  private void startLogin(Exchange exchange) throws IOException {
    PortalPrincipal principal = exchange.principal();
    if (principal != null) {
      audit.emit(
          exchange,
          AuditNote.failure(AuditEventType.AUTHN_LOGIN_FAIL, "SSO login while logged in"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, ALREADY_LOGGED_IN);
      return;
    }
    if (exchange.sessions().requestedSessionUnavailable()) {
      // The browser's session may hold a link under way: not now, rather than a new session.
      startUnavailable(exchange, "login", "session store unavailable");
      return;
    }
    Session existing = exchange.sessions().session(false);
    if (existing != null
        && (existing.getAttribute(PENDING) != null
            || existing.getAttribute(INTENT) instanceof String intent && intent.startsWith(LINK))) {
      flowFailed(exchange, "login", "SSO login while an account link is under way");
      return;
    }
    toProvider(exchange, exchange.sessions().session(true), "login");
  }

  private static void notAllowed(Exchange exchange, String allow) throws IOException {
    exchange.response().setHeader("Allow", allow);
    Pages.plain(
        exchange.response(), HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Method not allowed.");
  }

  /**
   * Whether the provider's redirect would come back to this stage; if not, refuses and audits the misconfiguration
   * (the provider would send the browser somewhere this stage does not answer: refuse rather than half-work).
   */
  private boolean callbackReachable(Exchange exchange, String intent) throws IOException {
    String contextPath = exchange.original().getContextPath();
    if ((contextPath + config.callbackPath()).equals(config.redirectUri().getRawPath())) {
      return true;
    }
    flowFailed(
        exchange,
        intent,
        "SSO misconfigured: the redirect URI's path is not"
            + " the context path plus the callback path");
    return false;
  }

  private void toProvider(Exchange exchange, Session session, String intent) throws IOException {
    OidcClient.Authorization a = authorizationStored(exchange, session, intent);
    if (a != null) {
      Pages.redirect(exchange, HttpServletResponse.SC_SEE_OTHER, a.location().toString());
    }
  }

  /**
   * Asks the provider for an authorization of the flow {@code intent} and stores it in {@code session} before the
   * browser is sent there: the provider's answer needs the state, nonce and verifier. Null when the flow cannot start
   * (the redirect URI misconfigured, the provider or the session store unavailable), the request then answered.
   */
  private OidcClient.Authorization authorizationStored(
      Exchange exchange, Session session, String intent) throws IOException {
    if (!callbackReachable(exchange, intent)) {
      return null;
    }
    OidcClient.Authorization a;
    try {
      a = oidc.authorize(intent.startsWith(LINK) ? config.linkReauthentication() : null);
    } catch (OidcClient.ProviderBusyException e) {
      startUnavailable(exchange, intent, providerBusy());
      return null;
    } catch (IOException | RuntimeException e) {
      flowFailed(
          exchange, intent, "OpenID provider unavailable: " + e.getClass().getSimpleName());
      return null;
    }
    session.setAttribute(STATE, a.state());
    session.setAttribute(NONCE, a.nonce());
    session.setAttribute(VERIFIER, a.verifier());
    session.setAttribute(STARTED, Long.toString(clock.millis()));
    session.setAttribute(INTENT, intent);
    if (!exchange.sessions().storeNow()) {
      startUnavailable(
          exchange,
          intent,
          session.requestScoped()
              ? "session not stored (too many new sessions from this address)"
              : "session store unavailable");
      return null;
    }
    return a;
  }

  /**
   * Answers a login or link that could not start, for want of a store, with the plain {@code 503} of every outage:
   * audited as the failure of the flow {@code intent} ({@code authn_login_fail}, or {@code sso_link} of the user who
   * asked to link), nobody sent to the provider.
   */
  private void startUnavailable(Exchange exchange, String intent, String what) throws IOException {
    flowUnavailable(
        exchange,
        intent,
        (intent.startsWith(LINK) ? "account link could not start: " : "SSO login could not start: ")
            + what);
  }

  private void callback(Exchange exchange) throws IOException {
    Session session = exchange.sessions().session(false);
    if (session == null && exchange.sessions().requestedSessionUnavailable()) {
      // The authorization under way may be in the session the store could not look up: not now,
      // rather than refused. Nothing tells whether it is a login or a link.
      audit.emit(
          exchange,
          AuditNote.failure(
              AuditEventType.AUTHN_LOGIN_FAIL, "SSO callback: session store unavailable"));
      Pages.serviceUnavailable(exchange.response());
      return;
    }
    if (session == null || !(session.getAttribute(STATE) instanceof String expectedState)) {
      // Nothing tells whether this answers a login or a link: recorded as a login's failure.
      flowFailed(exchange, null, "SSO callback without an authorization under way");
      return;
    }
    String intent = (String) session.getAttribute(INTENT);
    String state = exchange.parameter("state");
    // Compared before anything is consumed: a callback without this browser's state proves
    // nothing about the authorization under way (a cross-site GET can send the browser here with
    // any state), so it must not end it. The state stays single-use (only the callback that
    // matches consumes it) and still lapses after AUTHORIZATION_LIFETIME.
    if (state == null) {
      flowFailed(exchange, intent, "SSO callback without a state");
      return;
    }
    if (!MessageDigest.isEqual(
        state.getBytes(StandardCharsets.UTF_8), expectedState.getBytes(StandardCharsets.UTF_8))) {
      flowFailed(exchange, intent, "SSO callback with the wrong state");
      return;
    }
    // Before the authorization is used up: a callback turned away here may be followed again.
    OidcClient.ProviderCall call = oidc.tryCall();
    if (call == null) {
      flowUnavailable(exchange, intent, "SSO callback: " + providerBusy());
      return;
    }
    try (call) {
      redeem(exchange, session, intent, expectedState);
    }
  }

  /** The audit reason of a request turned away by {@link SsoConfig#maxConcurrentProviderCalls()}. */
  private String providerBusy() {
    return "OpenID provider busy: " + config.maxConcurrentProviderCalls()
        + " requests already waiting on it";
  }

  /**
   * The rest of a callback whose state is this session's: single use, then the code exchanged with the provider, in
   * a place of {@link OidcClient#tryCall()} that the caller holds.
   */
  private void redeem(Exchange exchange, Session session, String intent, String expectedState)
      throws IOException {
    String nonce = (String) session.getAttribute(NONCE);
    String verifier = (String) session.getAttribute(VERIFIER);
    String started = (String) session.getAttribute(STARTED);
    // Single use even when the session keeps the state: a store that did not save the session
    // (a login whose rotation failed) or two callbacks at once. Before anything is removed, so
    // that a replay store that does not answer leaves the same callback to complete later.
    Instant keepUntil = (started == null
            ? clock.instant()
            : Instant.ofEpochMilli(Long.parseLong(started)))
        .plus(AUTHORIZATION_LIFETIME);
    // An authorization past its lifetime is refused below as such; a shared store would not
    // keep its mark (no time left to keep it) and would answer as for a replay.
    boolean first = true;
    if (clock.instant().isBefore(keepUntil)) {
      try {
        first = config
            .replay()
            .markUsed(
                CALLBACK_STATE + HexFormat.of().formatHex(Sha256.ofAscii(null, expectedState)),
                keepUntil);
      } catch (RuntimeException e) {
        flowUnavailable(
            exchange,
            intent,
            "SSO callback: replay store unavailable: " + e.getClass().getSimpleName());
        return;
      }
    }
    // Single use: whatever happens next, this authorization cannot be completed twice.
    for (String name : AUTHORIZATION) {
      session.removeAttribute(name);
    }
    if (!first) {
      flowFailed(exchange, intent, "SSO callback replayed");
      return;
    }
    String code = exchange.parameter("code");
    boolean linking = intent != null && intent.startsWith(LINK);
    if (!linking && exchange.principal() != null) {
      // Before the code is exchanged: no silent switch of user, whenever the login was started.
      audit.emit(
          exchange,
          AuditNote.failure(AuditEventType.AUTHN_LOGIN_FAIL, "SSO login callback while logged in"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, ALREADY_LOGGED_IN);
      return;
    }
    String error = exchange.parameter("error");
    if (error != null) {
      flowFailed(exchange, intent, "provider returned an error: " + OidcClient.errorCode(error));
      return;
    }
    if (code == null || code.isEmpty()) {
      flowFailed(exchange, intent, "provider returned no code");
      return;
    }
    if (started == null
        || !clock
            .instant()
            .isBefore(Instant.ofEpochMilli(Long.parseLong(started)).plus(AUTHORIZATION_LIFETIME))) {
      flowFailed(exchange, intent, "SSO authorization took too long");
      return;
    }
    OidcClient.Outcome outcome = oidc.finish(
        code, verifier, nonce, linking ? Instant.ofEpochMilli(Long.parseLong(started)) : null);
    if (outcome instanceof OidcClient.Outcome.Failed failed) {
      flowFailed(exchange, intent, failed.reason());
      return;
    }
    OidcClient.Outcome.Identity id = (OidcClient.Outcome.Identity) outcome;
    if (linking) {
      pend(exchange, session, id, intent.substring(LINK.length()));
    } else {
      ssoLogin(exchange, id);
    }
  }

  /** Keeps the authenticated identity as the session's pending link and sends the browser to confirm it. */
  private void pend(
      Exchange exchange, Session session, OidcClient.Outcome.Identity id, String userHandle)
      throws IOException {
    PortalPrincipal principal = exchange.principal();
    if (principal == null || !principal.getName().equals(userHandle)) {
      linkFailed(
          exchange,
          userHandle,
          identity(id.issuer(), id.subject()),
          "no longer logged in as the user who asked to link");
      return;
    }
    PendingLink pending = new PendingLink(
        userHandle,
        id.issuer(),
        id.subject(),
        id.label(),
        clock.instant().plus(config.pendingLinkLifetime()));
    session.setAttribute(PENDING, pending.toAttribute());
    String identity = identity(id.issuer(), id.subject());
    // Stored before the browser is sent to confirm it, as the confirmation page reads it.
    if (!exchange.sessions().storeNow()) {
      // The provider's code is spent, and the upgrade cookie was at the start: a fresh one for
      // this session lets the user start again once the store answers, without logging in again.
      exchange.setCookie(
          SetCookie.set(config.cookie(), tokens.issue(userHandle, session.id().cookieValue())));
      audit.emit(
          exchange,
          AuditEventType.SSO_LINK,
          userHandle,
          null,
          b -> b.resource(identity)
              .failure("pending account link not stored: session store unavailable"));
      Pages.serviceUnavailable(exchange.response());
      return;
    }
    audit.emit(
        exchange,
        AuditEventType.SSO_LINK_PENDING,
        b -> b.resource(identity(id.issuer(), id.subject()))
            .reason("identity at " + id.issuer() + " waits for confirmation"));
    Pages.seeOther(exchange, config.linkPath());
  }

  /** The session's pending link, if it is the logged-in user's; null otherwise. */
  private static PendingLink pendingOf(Exchange exchange, Session session) {
    PortalPrincipal principal = exchange.principal();
    if (principal == null || session == null) {
      return null;
    }
    return PendingLink.fromAttribute(session.getAttribute(PENDING))
        .filter(p -> p.userHandle().equals(principal.getName()))
        .orElse(null);
  }

  /** {@code GET} link path: the confirmation page, naming the identity the provider authenticated. */
  private void showPending(Exchange exchange) throws IOException {
    Session session = exchange.sessions().session(false);
    PendingLink pending = pendingOf(exchange, session);
    if (pending == null
        || pending.expired(clock.instant())
        || !(exchange.request().getAttribute(PortcullisFilter.CSRF_TOKEN_ATTRIBUTE)
            instanceof String token)) {
      Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, NO_PENDING_LINK);
      return;
    }
    HttpServletResponse response = exchange.response();
    response.setHeader("Cache-Control", "no-store");
    Pages.html(
        response,
        HttpServletResponse.SC_OK,
        confirmationPage(pending, token, exchange.original().getContextPath() + config.linkPath()));
  }

  private static String confirmationPage(PendingLink p, String csrfToken, String action) {
    String account = p.label() == null ? p.subject() : p.label();
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Link a single sign-on account"
        + "</title></head><body>\n<h1>Link this single sign-on account to your portal account?</h1>\n"
        + "<p>The provider signed you in as:</p>\n<dl>\n<dt>Account</dt><dd id=\"account\">"
        + Pages.escape(account)
        + "</dd>\n<dt>Subject</dt><dd id=\"subject\">" + Pages.escape(p.subject()) + "</dd>\n"
        + "<dt>Provider</dt><dd id=\"issuer\">" + Pages.escape(p.issuer()) + "</dd>\n</dl>\n"
        + "<p>Once linked, this account can log you in to the portal. If it is not yours, cancel.</p>\n"
        + "<form method=\"post\" action=\"" + Pages.escape(action) + "\">\n"
        + "<input type=\"hidden\" name=\"" + CsrfTokens.FIELD + "\" value=\""
        + Pages.escape(csrfToken) + "\">\n"
        + "<button type=\"submit\" name=\"" + DECISION
        + "\" value=\"confirm\">Link this account</button>\n"
        + "<button type=\"submit\" name=\"" + DECISION + "\" value=\"cancel\">Cancel</button>\n"
        + "</form>\n</body></html>\n";
  }

  /**
   * {@code POST} link path: confirm (store the link) or cancel; the pending link is used up either way, unless the link
   * store does not answer.
   */
  private void decide(Exchange exchange) throws IOException {
    String decision = FormFields.fromBody(exchange, DECISION);
    if (!"confirm".equals(decision) && !"cancel".equals(decision)) {
      Pages.plain(
          exchange.response(),
          HttpServletResponse.SC_BAD_REQUEST,
          "Choose to link the account or cancel.");
      return;
    }
    Session session = exchange.sessions().session(false);
    PendingLink pending = pendingOf(exchange, session);
    if (session != null) {
      session.removeAttribute(PENDING);
    }
    PortalPrincipal principal = exchange.principal();
    String user = principal == null ? null : principal.getName();
    if (pending == null) {
      audit.emit(
          exchange,
          AuditNote.failure(AuditEventType.SSO_LINK, "no pending account link of this user"),
          user);
      Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, NO_PENDING_LINK);
      return;
    }
    exchange.setCookie(SetCookie.expire(config.cookie()));
    String identity = identity(pending.issuer(), pending.subject());
    if (decision.equals("cancel")) {
      audit.emit(
          exchange,
          AuditEventType.SSO_LINK_CANCELLED,
          b -> b.resource(identity).reason("identity at " + pending.issuer() + " not linked"));
      Pages.seeOther(exchange, login.endpoints().afterLoginPath());
      return;
    }
    if (pending.expired(clock.instant())) {
      linkFailed(exchange, user, identity, "pending account link expired before it was confirmed");
      return;
    }
    if (loginTooOld(principal)) {
      audit.emit(
          exchange,
          AuditEventType.SSO_LINK,
          b -> b.resource(identity).failure(loginTooOldReason()));
      toLoginAgain(exchange);
      return;
    }
    AccountLinkStore.LinkResult result;
    try {
      result = config.links().link(pending.issuer(), pending.subject(), user);
    } catch (RuntimeException e) {
      // Not used up by an outage: the identity the provider authenticated waits for the same
      // confirmation once the store answers, until the pending link's own expiry.
      session.setAttribute(PENDING, pending.toAttribute());
      audit.emit(
          exchange,
          AuditEventType.SSO_LINK,
          b -> b.resource(identity).failure("link store failed: " + e.getClass().getSimpleName()));
      Pages.serviceUnavailable(exchange.response());
      return;
    }
    if (result == AccountLinkStore.LinkResult.CONFLICT) {
      linkFailed(exchange, user, identity, "SSO identity already linked to another user");
      return;
    }
    if (result == AccountLinkStore.LinkResult.LINKED && !loginStillStands(principal)) {
      takeBack(exchange, pending, user, identity);
      return;
    }
    audit.emit(
        exchange,
        AuditEventType.SSO_LINK,
        b -> b.resource(identity)
            .reason(result == AccountLinkStore.LinkResult.LINKED ? "linked" : "already linked"));
    Pages.seeOther(exchange, login.endpoints().afterLoginPath());
  }

  /**
   * Whether the login that authenticated this request still stands, asked after its link was written. Between the
   * request's check and the write it read its form body, which its sender can make last as long as the container
   * waits; meanwhile "log out everywhere" on any node (or an administrator's {@code revokeAll}) may have ended the login
   * and removed the user's links. Those store the cut-off first and remove the links after, so a link written after the
   * removal finds the cut-off here, and one written before it was removed with the others.
   */
  private boolean loginStillStands(PortalPrincipal principal) {
    return login.revocationOf(principal.presentedTicket())
        == SessionAndRevocationLookup.Revocation.NOT_REVOKED;
  }

  /**
   * Removes the link this request has just written for a login that has ended meanwhile (or whose revocation store did
   * not answer), and refuses the confirmation.
   */
  private void takeBack(Exchange exchange, PendingLink pending, String user, String identity)
      throws IOException {
    String outcome;
    try {
      outcome = config.links().unlink(pending.issuer(), pending.subject(), user)
          ? "link removed"
          : "link already removed";
    } catch (RuntimeException e) {
      outcome = "the link store did not remove the link: " + e.getClass().getSimpleName();
    }
    linkFailed(
        exchange,
        user,
        identity,
        "login ended (or not known to stand) while the link was confirmed; " + outcome);
  }

  /** {@code POST} unlink path: the logged-in user removes one of their own linked identities. */
  private void unlink(Exchange exchange) throws IOException {
    PortalPrincipal principal = exchange.principal();
    String issuer = FormFields.fromBody(exchange, "issuer");
    String subject = FormFields.fromBody(exchange, "subject");
    if (principal == null) {
      audit.emit(exchange, AuditNote.failure(AuditEventType.SSO_UNLINK, "not logged in"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, NOT_UNLINKED);
      return;
    }
    if (issuer == null || issuer.isEmpty() || subject == null || subject.isEmpty()) {
      Pages.plain(
          exchange.response(), HttpServletResponse.SC_BAD_REQUEST, "Name the account to unlink.");
      return;
    }
    if (loginTooOld(principal)) {
      audit.emit(
          exchange,
          AuditEventType.SSO_UNLINK,
          b -> b.action("unlink").failure(loginTooOldReason()));
      toLoginAgain(exchange);
      return;
    }
    boolean removed;
    try {
      removed = config.links().unlink(issuer, subject, principal.getName());
    } catch (RuntimeException e) {
      audit.emit(
          exchange,
          AuditEventType.SSO_UNLINK,
          b -> b.action("unlink").failure("link store failed: " + e.getClass().getSimpleName()));
      Pages.plain(
          exchange.response(),
          HttpServletResponse.SC_SERVICE_UNAVAILABLE,
          "The account could not be unlinked just now. Try again later.");
      return;
    }
    if (!removed) {
      audit.emit(
          exchange,
          AuditEventType.SSO_UNLINK,
          b -> b.action("unlink").failure("identity not linked to this user"));
      Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, NOT_UNLINKED);
      return;
    }
    audit.emit(
        exchange,
        AuditEventType.SSO_UNLINK,
        b -> b.action("unlink").reason("identity at " + issuer));
    Pages.seeOther(exchange, returnTo(exchange));
  }

  /**
   * Whether the user last logged in to the portal longer ago than {@link SsoConfig#maxLoginAge()}. The ticket's
   * {@code authTime} survives renewals, so only a login (password, single sign-on or legacy cookie) makes it recent.
   */
  private boolean loginTooOld(PortalPrincipal principal) {
    Instant loggedIn = principal.ticket().authTime();
    return clock.instant().isAfter(loggedIn.plus(config.maxLoginAge()));
  }

  private String loginTooOldReason() {
    return "login older than " + KeyAgeText.of(config.maxLoginAge());
  }

  /**
   * Sends the browser to the login page to log in again, then back to the page the form names in its optional
   * {@code returnTo} field (a safe relative path), or else to the after-login page.
   */
  private void toLoginAgain(Exchange exchange) throws IOException {
    Pages.seeOther(
        exchange, SafeRedirect.withReturnTo(login.endpoints().loginPath(), returnTo(exchange)));
  }

  /** The form's optional {@code returnTo} field when it is a safe relative path, else the after-login page. */
  private String returnTo(Exchange exchange) {
    String returnTo = FormFields.fromBody(exchange, "returnTo");
    return SafeRedirect.isSafe(returnTo) ? returnTo : login.endpoints().afterLoginPath();
  }

  private void ssoLogin(Exchange exchange, OidcClient.Outcome.Identity id) throws IOException {
    LoginDecision decision = effects.decide(
        LoginListener.Kind.SSO,
        () -> login.ssoLogin(config.links(), id.issuer(), id.subject(), exchange.sessions()));
    if (decision instanceof LoginDecision.Refused refused) {
      effects.refused(exchange, refused);
      if (refused.unavailable()) {
        Pages.serviceUnavailable(exchange.response());
      } else {
        Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, SSO_FAILED);
      }
      return;
    }
    effects.accepted(exchange, (LoginDecision.Accepted) decision, LoginListener.Kind.SSO);
    Pages.seeOther(exchange, login.endpoints().afterLoginPath());
  }

  /**
   * The login listener that ends the session's single sign-on under way whenever a user logs in: the authorization's
   * attributes and a pending link. Registered with this stage.
   */
  static LoginListener endFlowsOnLogin() {
    return (exchange, user, kind) -> {
      Session session = exchange.sessions().session(false);
      if (session == null) {
        return;
      }
      for (String name : AUTHORIZATION) {
        session.removeAttribute(name);
      }
      session.removeAttribute(PENDING);
    };
  }

  /**
   * Refuses with the generic page and records why as the failure of the flow {@code intent}: {@code sso_link} with the
   * user who asked to link as actor for a link, {@code authn_login_fail} for a login or a flow not known (null).
   */
  private void flowFailed(Exchange exchange, String intent, String reason) throws IOException {
    if (intent != null && intent.startsWith(LINK)) {
      linkFailed(exchange, intent.substring(LINK.length()), null, reason);
      return;
    }
    audit.emit(exchange, AuditNote.failure(AuditEventType.AUTHN_LOGIN_FAIL, reason));
    Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, SSO_FAILED);
  }

  /**
   * Answers the start or the callback of the flow {@code intent} with the plain {@code 503} of an outage, recorded as
   * that flow's failure as {@link #flowFailed} records it; the authorization under way stays as it was.
   */
  private void flowUnavailable(Exchange exchange, String intent, String reason) throws IOException {
    if (intent != null && intent.startsWith(LINK)) {
      audit.emit(
          exchange,
          AuditEventType.SSO_LINK,
          intent.substring(LINK.length()),
          null,
          b -> b.failure(reason));
    } else {
      audit.emit(exchange, AuditNote.failure(AuditEventType.AUTHN_LOGIN_FAIL, reason));
    }
    Pages.serviceUnavailable(exchange.response());
  }

  /**
   * Refuses an account link with the generic page and records it as a failed {@code sso_link} of {@code userHandle}
   * (or, when null, the logged-in user), naming the identity when the provider has authenticated one.
   *
   * @param identity {@link #identity}, or null before the provider has authenticated anyone
   */
  private void linkFailed(Exchange exchange, String userHandle, String identity, String reason)
      throws IOException {
    audit.emit(exchange, AuditEventType.SSO_LINK, userHandle, null, b -> {
      if (identity != null) {
        b.resource(identity);
      }
      b.failure(reason);
    });
    Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, SSO_FAILED);
  }

  /**
   * An external identity as the resource of the link events: {@code <subject> at <issuer>}. Both are identifiers the
   * provider assigns, not credentials; the event builder masks a subject shaped like one. A {@code ?}, {@code #} or
   * {@code %} in either is percent-encoded ({@link AuditTrail#asResource}), so the record keeps the whole identity.
   */
  static String identity(String issuer, String subject) {
    return AuditTrail.asResource(subject + " at " + issuer);
  }

  private void redeem(Exchange exchange) throws IOException {
    PortalPrincipal principal = exchange.principal();
    Session session = exchange.sessions().session(false);
    List<String> values = Cookies.values(exchange, config.cookie().name());
    if (principal == null && anonymousForAnOutage(exchange)) {
      // Nobody could be checked: not now, rather than refused, and the browser keeps the cookie.
      audit.emit(
          exchange,
          AuditEventType.SSO_LINK,
          b -> b.failure("account link could not start: login not checked, store unavailable"));
      Pages.serviceUnavailable(exchange.response());
      return;
    }
    if (principal == null || session == null) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_INVALID, "not logged in");
      return;
    }
    if (values.size() != 1) {
      refuse(
          exchange,
          AuditEventType.AUTHN_TOKEN_INVALID,
          values.isEmpty() ? "no upgrade cookie" : "duplicate upgrade cookies");
      return;
    }
    if (!callbackReachable(exchange, LINK + principal.getName())) {
      return; // before redeeming: a misconfigured portal must not spend the user's upgrade token
    }
    if (loginTooOld(principal)) {
      // Before redeeming: the login this sends the browser to offers a new token anyway.
      audit.emit(exchange, AuditEventType.SSO_LINK, b -> b.failure(loginTooOldReason()));
      toLoginAgain(exchange);
      return;
    }
    // Checked without spending it first: every refusal that does not depend on the replay store
    // comes before anything is stored.
    UpgradeTokens.Check checked = tokens.check(values.get(0), session.id().cookieValue());
    if (checked instanceof UpgradeTokens.Check.Invalid invalid) {
      refuse(
          exchange,
          AuditEventType.AUTHN_TOKEN_INVALID,
          "upgrade token refused: " + invalid.reason());
      return;
    }
    if (!((UpgradeTokens.Check.Valid) checked).token().userHandle().equals(principal.getName())) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_INVALID, "upgrade token of another user");
      return;
    }
    String intent = LINK + principal.getName();
    // The authorization is stored before the token is spent: a provider or a session store that
    // does not answer leaves the browser's cookie as usable as it was, for when they do.
    OidcClient.Authorization a = authorizationStored(exchange, session, intent);
    if (a == null) {
      return;
    }
    UpgradeTokens.Redemption r;
    try {
      r = tokens.redeem(values.get(0), session.id().cookieValue());
    } catch (RuntimeException e) {
      // Not spent: the browser keeps the cookie for when the store answers.
      startUnavailable(
          exchange, intent, "replay store unavailable: " + e.getClass().getSimpleName());
      return;
    }
    if (r instanceof UpgradeTokens.Redemption.Replayed) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_REUSE, "upgrade token presented again");
      return;
    }
    if (r instanceof UpgradeTokens.Redemption.Refused refused) {
      // It expired since the check above.
      refuse(
          exchange,
          AuditEventType.AUTHN_TOKEN_INVALID,
          "upgrade token refused: " + refused.reason());
      return;
    }
    // Spent: a browser that kept it would still show the offer, and a user back from the
    // provider without a link who tried again would be recorded as replaying it.
    exchange.setCookie(SetCookie.expire(config.cookie()));
    audit.emit(
        exchange,
        AuditEventType.SSO_UPGRADE_REDEEMED,
        b -> b.reason("upgrade token redeemed; account link started at the provider"));
    Pages.redirect(exchange, HttpServletResponse.SC_SEE_OTHER, a.location().toString());
  }

  /**
   * Whether the request is anonymous because a store did not answer: the session store for the session the cookie
   * names, or a store the auth check made with the session lookup needed.
   */
  private static boolean anonymousForAnOutage(Exchange exchange) {
    return exchange.anonymousForAnUnreachableSession()
        || exchange.authCheck() instanceof AuthCheck.Anonymous anonymous
            && anonymous.storeUnavailable();
  }

  private void refuse(Exchange exchange, AuditEventType type, String reason) throws IOException {
    audit.emit(exchange, type, b -> b.failure(reason));
    exchange.setCookie(SetCookie.expire(config.cookie()));
    Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, REFUSED);
  }
}
