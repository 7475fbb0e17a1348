package dev.portcullis.login;

import dev.portcullis.audit.AuditNote;
import java.util.Objects;

/**
 * What {@link PortalLogin#logout} did. Either way the request's session has ended and the caller expires every
 * Portcullis cookie, asks the browser to clear the site's cookies and sends it to the login page.
 */
public sealed interface LogoutDecision
    permits LogoutDecision.LoggedOut, LogoutDecision.NotLoggedIn {

  /**
   * A logged-in user logged out: the ticket (and with "log out everywhere", every ticket and session of the user) no
   * longer opens anything on any node.
   *
   * @param audit the event to record with the user as actor; a failure when a store could not revoke
   */
  record LoggedOut(AuditNote audit) implements LogoutDecision {
    public LoggedOut {
      Objects.requireNonNull(audit, "audit");
    }
  }

  /** Nobody was logged in: nothing to revoke and nothing to record. */
  record NotLoggedIn() implements LogoutDecision {}
}
