package dev.portcullis.servlet;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.session.Session;
import dev.portcullis.sso.SsoConfig;
import dev.portcullis.sso.UpgradeTokens;
import dev.portcullis.user.PortalUser;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The single-sign-on upgrade: offers the upgrade cookie after a local login of an account without a linked SSO
 * identity, and redeems it on {@code POST} to the upgrade path (CSRF-checked by {@link CsrfStage}, which runs first).
 *
 * <p>A redemption succeeds only for the browser's own session, once, before the token expires, with the logged-in
 * user the token was issued to. Anything else answers a generic 403 and records the reason in the audit log; a
 * replayed token is recorded as {@code authn_token_reuse}.
 */
final class SsoStage implements Stage {
  /** Session attribute: the user handle whose upgrade token was redeemed, awaiting the provider's answer. */
  static final String PENDING_LINK = "portcullis.sso.pending";
  static final String REFUSED = "This link has expired or is not valid. Log in again to link your account.";

  private final SsoConfig config;
  private final UpgradeTokens tokens;
  private final AuditTrail audit;
  private final String afterRedeemPath;

  SsoStage(SsoConfig config, UpgradeTokens tokens, AuditTrail audit, String afterRedeemPath) {
    this.config = config;
    this.tokens = tokens;
    this.audit = audit;
    this.afterRedeemPath = afterRedeemPath;
  }

  /**
   * Called after a successful local login (session already rotated): offers the upgrade cookie if {@code user} has
   * no linked identity. A failing link store means no offer; the login itself goes on.
   */
  void offer(Exchange exchange, PortalUser user) {
    boolean linked;
    try {
      linked = config.links().isLinked(user.handle());
    } catch (RuntimeException e) {
      audit.emit(exchange, AuditEventType.SSO_UPGRADE_OFFERED, b -> b.failure("link store failed: "
          + e.getClass().getSimpleName()));
      return;
    }
    if (linked) {
      return;
    }
    Session session = exchange.sessions().session(false);
    if (session == null) {
      return;
    }
    exchange.setCookie(SetCookie.set(config.cookie(), tokens.issue(user.handle(), session.id().cookieValue())));
    audit.emit(exchange, AuditEventType.SSO_UPGRADE_OFFERED, b -> { });
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    String method = exchange.original().getMethod().toUpperCase(Locale.ROOT);
    if (Paths.path(exchange).equals(config.upgradePath())) {
      if (method.equals("POST")) {
        redeem(exchange);
      } else {
        exchange.response().setHeader("Allow", "POST");
        Pages.plain(exchange.response(), HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Method not allowed.");
      }
      return;
    }
    next.proceed();
  }

  private void redeem(Exchange exchange) throws IOException {
    PortalPrincipal principal = exchange.principal();
    Session session = exchange.sessions().session(false);
    List<String> values = Cookies.values(exchange, config.cookie().name());
    if (principal == null || session == null) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_INVALID, "not logged in");
      return;
    }
    if (values.size() != 1) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_INVALID, values.isEmpty() ? "no upgrade cookie"
          : "duplicate upgrade cookies");
      return;
    }
    UpgradeTokens.Redemption r;
    try {
      r = tokens.redeem(values.get(0), session.id().cookieValue());
    } catch (RuntimeException e) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_INVALID, "replay store failed: " + e.getClass().getSimpleName());
      return;
    }
    if (r instanceof UpgradeTokens.Redemption.Replayed) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_REUSE, "upgrade token presented again");
      return;
    }
    if (r instanceof UpgradeTokens.Redemption.Refused refused) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_INVALID, "upgrade token refused: " + refused.reason());
      return;
    }
    String tokenUser = ((UpgradeTokens.Redemption.Redeemed) r).token().userHandle();
    if (!tokenUser.equals(principal.getName())) {
      refuse(exchange, AuditEventType.AUTHN_TOKEN_INVALID, "upgrade token of another user");
      return;
    }
    session.setAttribute(PENDING_LINK, tokenUser);
    // Until the OpenID Connect redirect exists, a redeemed token only marks the session as ready to link.
    Pages.seeOther(exchange, afterRedeemPath);
  }

  private void refuse(Exchange exchange, AuditEventType type, String reason) throws IOException {
    audit.emit(exchange, type, b -> b.failure(reason));
    exchange.setCookie(SetCookie.expire(config.cookie()));
    Pages.plain(exchange.response(), HttpServletResponse.SC_FORBIDDEN, REFUSED);
  }
}
