package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.cookie.CookieSpec;
import dev.portcullis.session.Session;
import dev.portcullis.sso.AccountLinkStore;
import dev.portcullis.sso.internal.UpgradeTokens;
import dev.portcullis.user.PortalUser;

/**
 * Offers the single-sign-on upgrade cookie after a password login of an account that has no linked identity yet: a
 * sealed, single-use upgrade token bound to the session's new id. A link store that cannot answer means no offer
 * ({@code sso_upgrade_offered} with the failure); the login itself goes on. Whether a later page shows the offer is
 * {@link PortcullisFilter#ssoUpgradeOffered}'s decision, as the account may be linked while the cookie lasts.
 */
final class SsoUpgradeOffer implements LoginListener {
  private final AccountLinkStore links;
  private final UpgradeTokens tokens;
  private final CookieSpec cookie;
  private final AuditTrail audit;

  SsoUpgradeOffer(
      AccountLinkStore links, UpgradeTokens tokens, CookieSpec cookie, AuditTrail audit) {
    this.links = links;
    this.tokens = tokens;
    this.cookie = cookie;
    this.audit = audit;
  }

  @Override
  public void loggedIn(Exchange exchange, PortalUser user, Kind kind) {
    if (kind != Kind.PASSWORD) {
      return;
    }
    boolean linked;
    try {
      linked = links.isLinked(user.handle());
    } catch (RuntimeException e) {
      audit.emit(
          exchange,
          AuditEventType.SSO_UPGRADE_OFFERED,
          b -> b.failure("link store failed: " + e.getClass().getSimpleName()));
      return;
    }
    if (linked) {
      return;
    }
    Session session = exchange.sessions().session(false);
    if (session == null) {
      return;
    }
    exchange.setCookie(
        SetCookie.set(cookie, tokens.issue(user.handle(), session.id().cookieValue())));
    audit.emit(exchange, AuditEventType.SSO_UPGRADE_OFFERED, b -> {});
  }
}
