package dev.portcullis.servlet;

import dev.portcullis.access.AccessDecision;
import dev.portcullis.access.AccessPolicy;
import dev.portcullis.access.RequestPath;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.Session;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Asks {@link PortalLogin#check} who the auth-key cookie says is logged in (unless the session stage has already
 * asked, together with the session lookup), and makes the request authenticated when it says so. Any refusal leaves
 * the request anonymous, clears the cookie in the browser and records the core's note in the audit log; it never
 * produces an error page. When a store did not answer (the session's or the revocation store) the request is
 * anonymous too, but the cookie stays, so that the login works again when the store answers.
 *
 * <p>A session bound to a user at login is given only to a request authenticated as that user. Any other request that
 * presents its cookie (no auth cookie, or one expired, revoked, not authentic, of another user, or of an account that
 * may no longer log in) gets no session: the application sees none, and one it asks for is new and empty, with a new
 * cookie. The refusal is audited with the session's user as actor; the client learns nothing of it.
 *
 * <p>The withheld session is also ended at once (deleted from the store) when the refusal cannot come back: an
 * authentic ticket of the session's own user refused for a reason other than an outage (expired, revoked, bound to
 * another session, or the account may no longer log in). Without such a ticket (no auth cookie, a forged or duplicated one, another user's)
 * it is only withheld, and its cookie stays: whoever sends that request may hold nothing but a copy of the session
 * cookie, and ending the session would let them log its user out, while the user's browser, sending both cookies (a
 * request without the auth cookie may be the user's own, a cross-site navigation, say), keeps it. While a store does
 * not answer (the session is found but the revocation store or user directory is not reachable), the session is
 * withheld but not ended, and the cookies stay: it is its user's again once the store answers. That is audited by the
 * outage's own event only.
 *
 * <p>An authenticated WebSocket upgrade ({@code GET} with {@code Upgrade: websocket}) gets a principal that holds what
 * the request presented (its session and auth cookie values, and the access rules' answer for its path, asked again
 * with the account as it is then, and the application's own {@link ConnectionAccess} rule when it has one), so that
 * the application can have the connection closed when the login ends ({@link PortalPrincipal#closeWhenLoginEnds}).
 */
final class AuthenticationStage extends Stage {
  private final PortalLogin login;
  private final CookieSpec authCookie;
  private final SetCookie authCookieHeader;
  private final AuditTrail audit;
  /** The connections a WebSocket upgrade's principal can watch; null for none. */
  private final OpenConnections connections;
  /** The access rules an open connection's path is checked against again; null when the application decides. */
  private final AccessPolicy policy;
  /** The application's own rule for an open connection, asked besides {@link #policy}; null for none. */
  private final ConnectionAccess applicationAccess;

  AuthenticationStage(PortalLogin login, AuditTrail audit) {
    this(login, audit, null, null, null);
  }

  AuthenticationStage(
      PortalLogin login,
      AuditTrail audit,
      OpenConnections connections,
      AccessPolicy policy,
      ConnectionAccess applicationAccess) {
    this.login = login;
    this.authCookie = login.cookies().authCookie();
    this.authCookieHeader = SetCookie.of(authCookie);
    this.audit = audit;
    this.connections = connections;
    this.policy = policy;
    this.applicationAccess = applicationAccess;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    SessionState sessions = exchange.sessions();
    if (sessions.requestedSessionUnavailable()) {
      // Fail closed for this request; the session store has logged the outage. Whatever the
      // session stage found with the session lookup is not used: the cookie stays, nothing is
      // audited.
      next.proceed();
      return;
    }
    AuthCheck check = exchange.authCheck();
    if (check == null) {
      Session session = sessions.requestedSessionValid() ? sessions.requestedSession() : null;
      check = login.check(
          Cookies.values(exchange, authCookie.name()),
          session == null ? null : session.id().cookieValue());
    }
    if (check instanceof AuthCheck.Authenticated ok) {
      exchange.principal(
          new PortalPrincipal(ok.user(), ok.ticket(), ok.presentedTicket(), opening(exchange, ok)));
      if (ok.renewedCookie().isPresent()) {
        exchange.setCookie(authCookieHeader.set(ok.renewedCookie().get()));
        audit.emit(
            exchange,
            AuditEventType.SESSION_RENEWED,
            b -> b.reason("auth ticket renewed at half life"));
      }
    } else {
      AuthCheck.Anonymous anonymous = (AuthCheck.Anonymous) check;
      // A request sent with the pair whose session a logged-in request has just moved: the browser
      // may hold the new auth cookie by now.
      if (anonymous.cookieToClear() && !sessions.sentMovedId()) {
        exchange.setCookie(authCookieHeader.expire());
      }
      if (anonymous.audit().isPresent()) {
        audit.emit(exchange, anonymous.audit().get(), anonymous.userHandle().orElse(null));
      }
    }
    withholdFromOthers(exchange, sessions, check);
    next.proceed();
  }

  /**
   * For a WebSocket upgrade, what the request presented, so that the application can watch the connection it opens
   * ({@link PortalPrincipal#closeWhenLoginEnds}); null for any other request.
   */
  private OpenConnections.Opening opening(Exchange exchange, AuthCheck.Authenticated ok) {
    if (connections == null || !exchange.webSocketUpgrade()) {
      return null;
    }
    Session session = exchange.sessions().requestedSession();
    List<String> sent = Cookies.values(exchange, authCookie.name());
    if (session == null || sent.size() != 1) {
      return null;
    }
    RequestPath path = exchange.requestPath();
    Predicate<PortalUser> byPolicy = policy == null
        ? user -> true
        : user ->
            path != null && policy.decide(path, Optional.of(user.roles())) == AccessDecision.ALLOW;
    Predicate<PortalUser> access = byPolicy;
    if (applicationAccess != null) {
      String pathInContext = exchange.pathInContext();
      ConnectionRequest request =
          pathInContext == null ? null : ConnectionRequest.of(exchange.original(), pathInContext);
      AuthTicket ticket = ok.ticket();
      access = user -> byPolicy.test(user)
          && request != null
          && applicationAccess.allows(request, new PortalPrincipal(user, ticket));
    }
    try {
      return connections.opening(
          session.id().cookieValue(), ok.renewedCookie().orElse(sent.get(0)), ok.ticket(), access);
    } catch (IllegalArgumentException e) {
      // Not bound to the request's session: nothing to watch (the application's call is refused).
      return null;
    }
  }

  /** Withholds a session bound to a user from a request not authenticated as that user (see the class comment). */
  private void withholdFromOthers(Exchange exchange, SessionState sessions, AuthCheck check) {
    Session session = sessions.requestedSessionValid() ? sessions.requestedSession() : null;
    String bound = session == null ? null : session.userHandle().orElse(null);
    if (bound == null
        || check instanceof AuthCheck.Authenticated ok && ok.user().handle().equals(bound)) {
      return;
    }
    if (check instanceof AuthCheck.Anonymous anonymous && anonymous.storeUnavailable()) {
      // The core's note has recorded the outage with the user; the session is untouched.
      sessions.withholdBound(false);
      return;
    }
    boolean refusedForGood = check instanceof AuthCheck.Anonymous anonymous
        && anonymous.audit().isPresent()
        && anonymous.userHandle().filter(bound::equals).isPresent();
    if (refusedForGood) {
      boolean ended = sessions.withholdBound(true);
      audit.emit(
          exchange,
          AuditEventType.SESSION_REVOKED,
          bound,
          null,
          b -> b.failure(
              ended
                  ? "bound session ended: its user's auth ticket was refused"
                  : "bound session withheld: its user's auth ticket was refused; the store did"
                      + " not delete it"));
    } else {
      sessions.withholdBound(false);
      audit.emit(
          exchange,
          AuditEventType.AUTHN_TOKEN_INVALID,
          bound,
          null,
          b -> b.failure("bound session withheld: request not authenticated as its user"));
    }
  }
}
