package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.IssuedTicket;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionId;

/**
 * Keeps a user logged in when the application changes the id of their session ({@code request.changeSessionId()}):
 * the auth ticket, bound to the old id, is issued again for the new one ({@link PortalLogin#rebind}), its cookie goes
 * out with the session's new cookie, and the move is audited as {@code session_renewed}. One per filter, shared by its
 * requests.
 *
 * <p><b>Security.</b> Only the login whose ticket is bound to the session being moved follows it: a session the
 * application made after invalidating the logged-in one is not given the login. The old id is dead once the store has
 * moved the session, so the old auth cookie opens nothing, with the old session cookie or the new one. The new ticket
 * keeps the old one's expiry and auth time: changing the id never makes a login last longer. The audit event carries
 * no session id and no cookie value.
 */
final class LoginRebinding {
  private final PortalLogin login;
  private final SetCookie authCookie;
  private final String authCookieName;
  private final AuditTrail audit;

  LoginRebinding(PortalLogin login, AuditTrail audit) {
    CookieSpec spec = login.cookies().authCookie();
    this.login = login;
    this.authCookie = SetCookie.of(spec);
    this.authCookieName = spec.name();
    this.audit = audit;
  }

  /**
   * Whether the request's login moves with its session when the session's id changes: the request is authenticated
   * and its ticket is bound to {@code id}, the session's id before the change.
   */
  static boolean follows(Exchange exchange, SessionId id) {
    PortalPrincipal principal = exchange.principal();
    return principal != null && principal.ticket().isBoundTo(id);
  }

  /**
   * Moves the request's login to the session's new id {@code moved}: a new ticket for the auth cookie, which replaces
   * any the response was to carry (a renewal, an earlier move in the same request), and the principal that carries it.
   * Call once the store has moved the session, only when {@link #follows} said so for its old id.
   */
  void moved(Exchange exchange, SessionId moved) {
    PortalPrincipal principal = exchange.principal();
    IssuedTicket issued = login.rebind(principal.ticket(), moved.cookieValue());
    exchange.unqueueCookie(authCookieName);
    exchange.setCookie(authCookie.set(issued.cookieValue()));
    exchange.principal(new PortalPrincipal(principal.user(), issued.ticket()));
    audit.emit(
        exchange,
        AuditEventType.SESSION_RENEWED,
        b -> b.reason("session id changed by the application; auth ticket re-issued"));
  }
}
