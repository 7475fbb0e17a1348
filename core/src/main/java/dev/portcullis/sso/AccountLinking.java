package dev.portcullis.sso;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditLog;
import java.util.List;
import java.util.Objects;

/**
 * The administrators' view of single-sign-on account links: list a user's linked identities and remove them, each
 * removal recorded as {@link AuditEventType#SSO_UNLINK} with the user as actor, {@code action: admin_unlink} and the
 * administrator in the reason. Users unlink their own identities through the filter's unlink endpoint
 * ({@link SsoConfig#unlinkPath()}).
 *
 * <p><b>Security.</b> This type does not check who calls it: an application that offers it over HTTP must restrict
 * that endpoint to its administrators' role (an access rule), and pass the administrator's own handle. A store that
 * fails throws, after a failure event is recorded; nothing is assumed removed.
 */
public final class AccountLinking {
  private final AccountLinkStore links;
  private final AuditLog audit;

  /**
   * @param links the store the portal's SSO configuration uses ({@link SsoConfig#links()})
   * @param audit where the removals are recorded
   */
  public AccountLinking(AccountLinkStore links, AuditLog audit) {
    this.links = Objects.requireNonNull(links, "links");
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  /** The identities linked to {@code userHandle}. */
  public List<AccountLinkStore.LinkedIdentity> linksOf(String userHandle) {
    return links.linksOf(userHandle);
  }

  /**
   * Unlinks (issuer, subject) from {@code userHandle}.
   *
   * @param administrator the handle of the administrator who asked, for the audit record
   * @return whether the identity was linked to this user and no longer is
   */
  public boolean unlink(String userHandle, String issuer, String subject, String administrator) {
    Objects.requireNonNull(administrator, "administrator");
    boolean removed;
    try {
      removed = links.unlink(issuer, subject, userHandle);
    } catch (RuntimeException e) {
      record(
          userHandle, administrator, "link store failed: " + e.getClass().getSimpleName(), false);
      throw e;
    }
    record(
        userHandle,
        administrator,
        removed ? "1 identity" : "identity not linked to this user",
        removed);
    return removed;
  }

  /**
   * Unlinks every identity of {@code userHandle}. To cut off whoever holds the user's logins as well, call
   * {@link dev.portcullis.login.PortalLogin#revokeAll} first, as "log out everywhere" stores its cut-off before it
   * unlinks: a link confirmation under way when the logins end then finds them ended after its write and takes its
   * link back, and one written before this call is removed by it.
   *
   * @param administrator the handle of the administrator who asked, for the audit record
   * @return how many identities were unlinked
   */
  public int unlinkAll(String userHandle, String administrator) {
    Objects.requireNonNull(administrator, "administrator");
    int removed;
    try {
      removed = links.unlinkAll(userHandle);
    } catch (RuntimeException e) {
      record(
          userHandle, administrator, "link store failed: " + e.getClass().getSimpleName(), false);
      throw e;
    }
    record(userHandle, administrator, removed + (removed == 1 ? " identity" : " identities"), true);
    return removed;
  }

  private void record(String userHandle, String administrator, String what, boolean success) {
    String reason = what + ", by administrator " + administrator;
    AuditEvent.Builder b = audit
        .event(AuditEventType.SSO_UNLINK)
        .actor(AuditEvent.Actor.of(userHandle, null))
        .action("admin_unlink");
    audit.emit((success ? b.reason(reason) : b.failure(reason)).build());
  }
}
