package dev.portcullis.servlet;

import dev.portcullis.audit.AuditNote;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginDecision;
import dev.portcullis.session.Session;
import java.security.SecureRandom;
import java.util.function.Supplier;

/**
 * Carries out a core {@link LoginDecision} on the request, the same way for every kind of login (form, legacy
 * cookie, single sign-on). Accepted: the session (already rotated by the decision) gets a fresh CSRF token, the auth
 * cookie is queued, the cookie-check cookie the browser sent is expired (it only serves requests nobody is logged in
 * to, and the login page sets a fresh one when it is needed again), the user becomes the principal, the decision's
 * events are recorded and the login listeners hear of it. Refused: the decision's event is recorded; the request
 * stays as it was. What to answer is the caller's.
 */
final class LoginEffects {
  private final SetCookie authCookie;
  private final CookieSpec cookieCheck;
  private final SecureRandom random;
  private final AuditTrail audit;
  private final FilterObservations observations;

  /**
   * @param cookieCheckCookie the cookie-check cookie, or null when the session cookie does that check
   * @param observations observes each login, or null for none
   */
  LoginEffects(
      CookieSpec authCookie,
      CookieSpec cookieCheckCookie,
      SecureRandom random,
      AuditTrail audit,
      FilterObservations observations) {
    this.authCookie = SetCookie.of(authCookie);
    this.cookieCheck = cookieCheckCookie;
    this.random = random;
    this.audit = audit;
    this.observations = observations;
  }

  /** Asks the core for a {@code kind} login decision, observed when the filter has observations. */
  LoginDecision decide(LoginListener.Kind kind, Supplier<LoginDecision> login) {
    return observations == null ? login.get() : observations.login(kind, login);
  }

  void accepted(Exchange exchange, LoginDecision.Accepted accepted, LoginListener.Kind kind) {
    Session session = exchange.sessions().session(false);
    if (session != null) {
      CsrfTokens.renew(session, random);
    }
    exchange.setCookie(authCookie.set(accepted.ticket().cookieValue()));
    if (cookieCheck != null && Cookies.has(exchange, cookieCheck.name())) {
      // A logged-in browser would otherwise send it, unused, with every request. Formatted here:
      // a login is rare.
      exchange.setCookie(SetCookie.expire(cookieCheck));
    }
    exchange.principal(new PortalPrincipal(accepted.user(), accepted.ticket().ticket()));
    for (AuditNote note : accepted.audit()) {
      audit.emit(exchange, note);
    }
    exchange.loggedIn(accepted.user(), kind);
  }

  void refused(Exchange exchange, LoginDecision.Refused refused) {
    audit.emit(exchange, refused.audit(), refused.user().orElse(null));
  }
}
