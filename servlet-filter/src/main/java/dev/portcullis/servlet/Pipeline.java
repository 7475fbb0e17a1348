package dev.portcullis.servlet;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.login.LoginFormTokens;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PendingLogouts;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.login.SessionLoginCheck;
import dev.portcullis.session.SessionRegistry;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.sso.internal.UpgradeTokens;
import java.util.ArrayList;
import java.util.List;

/**
 * The stages of {@link PortcullisFilter}, in the order every request meets them, read top to bottom in
 * {@link #of(PortcullisConfig)}. Each stage decides one thing (or, more often, translates one core decision) and
 * either passes the request on or answers it; no stage calls another. What they share lives in non-stage types:
 * {@link LoginEffects} (carrying out a login), {@link CsrfTokens}, {@link FormFields}, {@link AuditTrail}, and the
 * {@link LoginListener}s the exchange tells about each login.
 *
 * @param stages the stages, in order
 * @param loginListeners hear about each login, in order
 * @param pendingLogouts the logouts a store could not finish, kept to finish later; null without login
 * @param openConnections the connections (WebSockets) the application watches, closed when their login ends; null
 *     without login
 */
record Pipeline(
    List<Stage> stages,
    List<LoginListener> loginListeners,
    PendingLogouts pendingLogouts,
    OpenConnections openConnections) {
  Pipeline {
    stages = List.copyOf(stages);
    loginListeners = List.copyOf(loginListeners);
  }

  Pipeline(List<Stage> stages, List<LoginListener> loginListeners) {
    this(stages, loginListeners, null, null);
  }

  /**
   * Takes the pipeline out of service: the re-check of open connections stops, the pending logouts are tried once
   * more, and what is left is audited.
   */
  void close() {
    if (openConnections != null) {
      openConnections.close();
    }
    if (pendingLogouts != null) {
      pendingLogouts.close();
    }
  }

  /** The stages a {@code POST} meets: all of them. */
  Stage[] forPost() {
    return stages.toArray(new Stage[0]);
  }

  /** The stages a request of any other method meets: all but those that act only on {@code POST}. */
  Stage[] forOtherMethods() {
    return stages.stream().filter(s -> !s.onlyForPost()).toArray(Stage[]::new);
  }

  /** The pipeline for {@code config}; a part that is not configured has no stage. */
  static Pipeline of(PortcullisConfig config) {
    return of(config, null, null);
  }

  /**
   * The pipeline for {@code config}, its logins observed by {@code observations} (or not, when null), open
   * connections also checked again with the application's {@code connectionAccess} (or not, when null).
   */
  static Pipeline of(
      PortcullisConfig config, FilterObservations observations, ConnectionAccess connectionAccess) {
    AuditLog auditLog = config.audit().map(PortcullisConfig.Audit::log).orElse(null);
    AuditTrail trail = auditLog == null ? AuditTrail.NONE : new AuditTrail(auditLog);
    List<Stage> stages = new ArrayList<>();
    List<LoginListener> listeners = new ArrayList<>();
    // The logouts a store could not finish, finished once it answers; with login only.
    PendingLogouts pending = config
        .login()
        .map(l -> PendingLogouts.create(l.login(), config.sessions().orElseThrow(), auditLog))
        .orElse(null);
    // The connections that outlive their request (WebSockets), re-checked as a request would be
    // and closed when their login ends; with login only.
    OpenConnections connections = config
        .login()
        .map(l ->
            OpenConnections.create(config.sessions().orElseThrow(), l.login(), pending, auditLog))
        .orElse(null);
    // 1. Where the request came from, HTTPS or not (plain HTTP is redirected or refused), security
    // headers.
    stages.add(new TransportStage(config.transport(), trail));
    // 2. The session cookie: which server-side session, if any; saved and its cookie queued before
    // the commit.
    // A well-formed id naming no stored session stays in the browser when the session cookie does
    // the cookie check (stage 5). With login, the session and the auth check are found together:
    // one store round trip for the session and the revocation check.
    boolean sessionCookieChecks = config
        .login()
        .map(l -> l.login().cookies().cookieCheckBySessionCookie())
        .orElse(false);
    config
        .sessions()
        .ifPresent(registry -> stages.add(config
            .login()
            .map(l -> new SessionStage(
                registry,
                sessionCookieChecks,
                SessionLoginCheck.create(registry, l.login(), pending),
                l.login().cookies().authCookie().name(),
                trail,
                connections,
                new LoginRebinding(l.login(), trail)))
            .orElseGet(() -> new SessionStage(registry, sessionCookieChecks))));
    config.login().ifPresent(l -> {
      PortalLogin login = l.login();
      LoginEffects effects = new LoginEffects(
          login.cookies().authCookie(),
          login.cookies().cookieCheckCookie().orElse(null),
          l.random(),
          trail,
          observations);
      // 3. The auth-key cookie: who is logged in (PortalLogin.check).
      // An upgrade request to a WebSocket gets a principal that can watch its connection.
      stages.add(new AuthenticationStage(
          login,
          trail,
          connections,
          config.access().map(PortcullisConfig.Access::policy).orElse(null),
          connectionAccess));
      // 4. The replaced portal's login cookie: a one-time login for an anonymous request, until the
      // sunset.
      config.legacyUpgrade().ifPresent(u -> stages.add(new LegacyUpgradeStage(u, effects)));
      // 5. The blocked-cookie check: the login page sets the cookie-check cookie (a random value
      // the anonymous form token is bound to), the login form requires it. Or, when the session
      // cookie does that check, the login page gives a browser without one an id that names no
      // stored session.
      SessionRegistry registry = config.sessions().orElseThrow();
      boolean bySessionCookie = login.cookies().cookieCheckBySessionCookie();
      LoginFormTokens formTokens = bySessionCookie
          ? login.formTokens().forSessionIds(registry.config().idFormat())
          : login.formTokens();
      stages.add(new CookieCheckStage(
          login.cookies().cookieCheckCookie().orElse(registry.config().cookie()),
          bySessionCookie,
          formTokens,
          login.endpoints().loginPath(),
          l.random(),
          trail));
      // 6. CSRF, for every state-changing request (the login form and logout included), and the
      // token to render: the session's, or without a session the one bound to the cookie-check
      // value.
      // A browser's cross-origin request is refused before its token is looked at.
      stages.add(new CsrfStage(
          l.random(),
          formTokens,
          trail,
          login.endpoints(),
          CsrfStage.trusted(config.trustedOrigins(), config.transport())));
      // 7. The login form's POST (PortalLogin.passwordLogin).
      stages.add(new LoginStage(login, effects));
      // 8. Logout and "log out everywhere" (PortalLogin.logout).
      stages.add(new LogoutStage(
          login,
          config.cookies(),
          trail,
          pending,
          connections,
          config
              .sso()
              .map(PortcullisConfig.Sso::config)
              .filter(c -> !c.keepLinksOnLogoutEverywhere())
              .map(SsoConfig::links)
              .orElse(null)));
      // 9. The terms gate: a user who has not accepted the current terms reaches only the terms
      // page.
      stages.add(new TermsStage(login.terms(), login.endpoints(), trail));
      // 10. Single sign-on endpoints (PortalLogin.ssoLogin); the upgrade cookie is offered by a
      // login listener.
      config.sso().ifPresent(sso -> {
        UpgradeTokens tokens = UpgradeTokens.create(
            sso.keys(),
            sso.config().cookie().name(),
            sso.clock(),
            sso.random(),
            sso.config().replay(),
            sso.config().tokenLifetime());
        // A login ends the single sign-on the session had under way, before the upgrade is offered.
        listeners.add(SsoStage.endFlowsOnLogin());
        listeners.add(
            new SsoUpgradeOffer(sso.config().links(), tokens, sso.config().cookie(), trail));
        OidcClient oidc = new OidcClient(sso.config(), sso.clock());
        oidc.startDiscovery();
        stages.add(new SsoStage(sso.config(), tokens, oidc, login, effects, sso.clock(), trail));
      });
    });
    // 11. Access rules: who may see which path (AccessPolicy.decide).
    config.access().ifPresent(a -> stages.add(new AccessStage(a.policy(), a.loginPath(), trail)));
    // 12. Audited actions and search demand, after the application has answered.
    config.audit().ifPresent(a -> stages.add(new AuditStage(a.rules(), trail)));
    return new Pipeline(stages, listeners, pending, connections);
  }
}
