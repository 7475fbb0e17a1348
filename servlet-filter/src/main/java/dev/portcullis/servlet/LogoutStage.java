package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.login.AuthCheck;
import dev.portcullis.login.LoginEndpoints;
import dev.portcullis.login.LogoutDecision;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.sso.AccountLinkStore;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST} of logout or "log out everywhere" (the CSRF token was checked by the CSRF stage): asks
 * {@link PortalLogin#logout} (which revokes and ends the sessions), then expires every Portcullis cookie with the
 * attributes it was set with, sends {@code Clear-Site-Data: "cookies"}, records the decision's event and sends the
 * browser (303) to the login page. With single sign-on, "log out everywhere" also unlinks the user's SSO identities
 * ({@code sso_unlink}, {@code action: logout_everywhere}) unless the configuration keeps them.
 *
 * <p>When the session store could not look up the request's session (the CSRF stage lets such a logout through), the
 * request is anonymous and nothing on the server can be ended: the browser's cookies are expired all the same, and the
 * logout is recorded as a failure, with the user of the presented auth cookie, so that the operator knows the session
 * and ticket outlive it until they time out.
 */
final class LogoutStage extends Stage {
  private final PortalLogin login;
  private final LoginEndpoints endpoints;
  private final List<CookieSpec> allCookies;
  private final AuditTrail audit;
  /** Whose identities "log out everywhere" unlinks; null to keep them (or without single sign-on). */
  private final AccountLinkStore linksToDrop;

  LogoutStage(
      PortalLogin login,
      List<CookieSpec> allCookies,
      AuditTrail audit,
      AccountLinkStore linksToDrop) {
    this.login = login;
    this.endpoints = login.endpoints();
    this.allCookies = List.copyOf(allCookies);
    this.audit = audit;
    this.linksToDrop = linksToDrop;
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
    PortalPrincipal principal = exchange.principal();
    // The ticket the browser presented, which a copied cookie carries; a renewal minted for this
    // request never leaves the server, as its cookie is dropped below.
    LogoutDecision decision = login.logout(
        Optional.ofNullable(principal).map(PortalPrincipal::presentedTicket),
        path.equals(endpoints.logoutEverywherePath()),
        exchange.sessions());
    exchange.dropQueuedCookies();
    for (CookieSpec spec : allCookies) {
      exchange.setCookie(SetCookie.expire(spec));
    }
    exchange.sessions().cookiesExpiredByLogout(allCookies);
    exchange.response().setHeader("Clear-Site-Data", "\"cookies\"");
    if (exchange.anonymousForAnUnreachableSession()) {
      boolean everywhere = path.equals(endpoints.logoutEverywherePath());
      AuditEventType type = everywhere ? AuditEventType.SESSION_REVOKED : AuditEventType.LOGOUT;
      audit.emit(
          exchange,
          AuditNote.failure(
                  type,
                  "session store unavailable: cookies expired in the browser only;"
                      + " the session and auth ticket were not ended")
              .withAction(everywhere ? "logout_everywhere" : "logout"),
          exchange.authCheck() instanceof AuthCheck.Anonymous anonymous
              ? anonymous.userHandle().orElse(null)
              : null);
    } else if (decision instanceof LogoutDecision.LoggedOut out) {
      audit.emit(exchange, out.audit());
      if (linksToDrop != null
          && principal != null
          && path.equals(endpoints.logoutEverywherePath())) {
        unlinkAll(exchange, principal.getName());
      }
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
