package dev.portcullis.servlet;

import dev.portcullis.audit.AuditNote;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.LoginDecision;
import dev.portcullis.session.Session;
import java.security.SecureRandom;

/**
 * Carries out a core {@link LoginDecision} on the request, the same way for every kind of login (form, legacy
 * cookie, single sign-on). Accepted: the session (already rotated by the decision) gets a fresh CSRF token, the auth
 * cookie is queued, the user becomes the principal, the decision's events are recorded and the login listeners hear
 * of it. Refused: the decision's event is recorded; the request stays as it was. What to answer is the caller's.
 */
final class LoginEffects {
  private final SetCookie authCookie;
  private final SecureRandom random;
  private final AuditTrail audit;

  LoginEffects(CookieSpec authCookie, SecureRandom random, AuditTrail audit) {
    this.authCookie = SetCookie.of(authCookie);
    this.random = random;
    this.audit = audit;
  }

  void accepted(Exchange exchange, LoginDecision.Accepted accepted, LoginListener.Kind kind) {
    Session session = exchange.sessions().session(false);
    if (session != null) {
      CsrfTokens.renew(session, random);
    }
    exchange.setCookie(authCookie.set(accepted.ticket().cookieValue()));
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
