package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.LoginEndpoints;
import dev.portcullis.login.LogoutDecision;
import dev.portcullis.login.OpenConnections;
import dev.portcullis.login.PendingLogouts;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.session.SessionId;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.ticket.AuthTicket;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST} of logout or "log out everywhere" (the CSRF token was checked by the CSRF stage): asks
 * {@link PortalLogin#logout(Optional, boolean, dev.portcullis.login.LoginSession, PendingLogouts)} (which revokes and
 * ends the sessions), then expires every Portcullis cookie with the attributes it was set with, sends
 * {@code Clear-Site-Data: "cookies"}, records the decision's event and sends the browser (303) to the login page.
 * With single sign-on, "log out everywhere" also unlinks the user's SSO identities ({@code sso_unlink},
 * {@code action: logout_everywhere}) unless the configuration keeps them.
 *
 * <p>When a store did not answer as the request was checked (the session store could not look up its session, which
 * the CSRF stage lets through, or the revocation store could not check its ticket), the request is anonymous, but its
 * auth cookie, if it opens and is bound to the session cookie, still names what the logout must end: that ticket and
 * the session are ended now if the stores answer, and otherwise kept in {@link PendingLogouts} (the ticket's id and
 * expiry, the session's store key, the user), which finishes them in the background once the stores answer and
 * records a successful {@code logout}/{@code session_revoked} then; until it has, this node refuses that ticket and
 * session. The browser's cookies are expired either way, and the logout is recorded now as a failure with the user
 * of the presented auth cookie and the reason. Without such a cookie nothing but the session can be ended, and that
 * is recorded as a failure too.
 *
 * <p>A logout also closes at once this node's open connections of that login (those opened with its session or
 * ticket; {@link OpenConnections#closeLogin}), "log out everywhere" those of its user
 * ({@link OpenConnections#closeUser}); other nodes close theirs at their next re-check.
 */
final class LogoutStage extends Stage {
  private final PortalLogin login;
  private final LoginEndpoints endpoints;
  private final List<CookieSpec> allCookies;
  private final String authCookieName;
  private final AuditTrail audit;
  /** Where a logout that a store could not finish is kept; null to keep none. */
  private final PendingLogouts pending;
  /** Whose identities "log out everywhere" unlinks; null to keep them (or without single sign-on). */
  private final AccountLinkStore linksToDrop;
  /** This node's watched connections, closed at once by a logout of their login; null for none. */
  private final OpenConnections connections;

  LogoutStage(
      PortalLogin login,
      List<CookieSpec> allCookies,
      AuditTrail audit,
      PendingLogouts pending,
      OpenConnections connections,
      AccountLinkStore linksToDrop) {
    this.login = login;
    this.endpoints = login.endpoints();
    this.allCookies = List.copyOf(allCookies);
    this.authCookieName = login.cookies().authCookie().name();
    this.audit = audit;
    this.pending = pending;
    this.linksToDrop = linksToDrop;
    this.connections = connections;
  }

  @Override
  public boolean onlyForPost() {
    return true;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    String path = Paths.path(exchange);
    if (!exchange.method().equals("POST") || !endpoints.isLogout(path)) {
      next.proceed();
      return;
    }
    boolean everywhere = path.equals(endpoints.logoutEverywherePath());
    PortalPrincipal principal = exchange.principal();
    boolean sessionUnreachable = exchange.anonymousForAnUnreachableSession();
    // The ticket the browser presented, which a copied cookie carries; a renewal minted for this
    // request never leaves the server, as its cookie is dropped below. A request left anonymous by
    // a store that did not answer still presents it.
    Optional<AuthTicket> ticket;
    String outage = null;
    if (principal != null) {
      ticket = Optional.of(principal.presentedTicket());
    } else if (exchange.authCheck() instanceof AuthCheck.Anonymous anonymous
        && anonymous.storeUnavailable()) {
      ticket = login.ticketForLogout(
          Cookies.values(exchange, authCookieName), exchange.sessions().presentedId());
      outage = sessionUnreachable ? "session store unavailable" : "revocation store unavailable";
    } else {
      ticket = Optional.empty();
    }
    SessionId loggedOutSession = exchange.sessions().presentedId();
    LogoutDecision decision = login.logout(ticket, everywhere, exchange.sessions(), pending);
    if (connections != null) {
      // This node's open connections of the login end now; other nodes' at their next re-check.
      if (everywhere && ticket.isPresent()) {
        connections.closeUser(ticket.get().userHandle());
      } else {
        connections.closeLogin(ticket.orElse(null), loggedOutSession);
      }
    }
    exchange.dropQueuedCookies();
    for (CookieSpec spec : allCookies) {
      exchange.setCookie(SetCookie.expire(spec));
    }
    exchange.sessions().cookiesExpiredByLogout(allCookies);
    exchange.response().setHeader("Clear-Site-Data", "\"cookies\"");
    if (decision instanceof LogoutDecision.LoggedOut out) {
      if (principal != null) {
        audit.emit(exchange, out.audit());
        if (linksToDrop != null && everywhere) {
          unlinkAll(exchange, principal.getName());
        }
      } else {
        AuditNote note = out.audit();
        audit.emit(
            exchange,
            note.isFailure()
                ? note.withReason(
                    outage + " as the request was checked; " + note.reason().orElse(""))
                : note.withReason(outage + " as the request was checked; ended on the server"),
            ticket.get().userHandle());
      }
    } else if (sessionUnreachable) {
      AuditEventType type = everywhere ? AuditEventType.SESSION_REVOKED : AuditEventType.LOGOUT;
      audit.emit(
          exchange,
          AuditNote.failure(
                  type,
                  "session store unavailable: cookies expired in the browser; no auth ticket bound"
                      + " to the session was presented to end")
              .withAction(everywhere ? "logout_everywhere" : "logout"),
          exchange.authCheck() instanceof AuthCheck.Anonymous anonymous
              ? anonymous.userHandle().orElse(null)
              : null);
    }
    exchange.principal(null);
    Pages.seeOther(exchange, endpoints.loginPath());
  }

  private void unlinkAll(Exchange exchange, String userHandle) {
    try {
      int removed = linksToDrop.unlinkAll(userHandle);
      if (removed > 0) {
        audit.emit(
            exchange,
            AuditEventType.SSO_UNLINK,
            b -> b.action("logout_everywhere")
                .reason(removed + (removed == 1 ? " identity" : " identities")));
      }
    } catch (RuntimeException e) {
      audit.emit(
          exchange,
          AuditEventType.SSO_UNLINK,
          b -> b.action("logout_everywhere")
              .failure("link store failed: " + e.getClass().getSimpleName()));
    }
  }
}
