package dev.portcullis.login;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.ticket.AuthTicket;
import dev.portcullis.user.PortalUser;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link PortalLogin#check} found for a request's auth cookie. Anything but {@link Authenticated} means the
 * request is anonymous; the audit note is for the audit log only.
 */
public sealed interface AuthCheck permits AuthCheck.Authenticated, AuthCheck.Anonymous {

  /**
   * A logged-in user. When {@link #renewedCookie()} is present, half the ticket's lifetime had passed and the caller
   * sends this new cookie value (sliding renewal).
   */
  final class Authenticated implements AuthCheck {
    private final PortalUser user;
    private final AuthTicket ticket;
    private final AuthTicket presented;
    private final String renewedCookie;

    Authenticated(PortalUser user, AuthTicket ticket, AuthTicket presented, String renewedCookie) {
      this.user = Objects.requireNonNull(user);
      this.ticket = Objects.requireNonNull(ticket);
      this.presented = Objects.requireNonNull(presented);
      this.renewedCookie = renewedCookie;
    }

    public PortalUser user() {
      return user;
    }

    /** The ticket the request holds from now on: the renewal when there is one, else the one the cookie carried. */
    public AuthTicket ticket() {
      return ticket;
    }

    /**
     * The ticket the request's auth cookie carried, which a copy of the cookie carries too: the one a logout revokes.
     * The same as {@link #ticket()} unless the ticket was renewed.
     */
    public AuthTicket presentedTicket() {
      return presented;
    }

    public Optional<String> renewedCookie() {
      return Optional.ofNullable(renewedCookie);
    }
  }

  /**
   * Not logged in.
   *
   * @param audit the event to record, or empty when there was simply no cookie
   * @param userHandle the user named by an authentic ticket, when there was one: the event's actor
   * @param storeUnavailable whether a store needed for the check did not answer: the request is anonymous, but the
   *     cookie is kept, so that the login works again once the store answers
   */
  record Anonymous(Optional<AuditNote> audit, Optional<String> userHandle, boolean storeUnavailable)
      implements AuthCheck {
    private static final Anonymous NO_COOKIE =
        new Anonymous(Optional.empty(), Optional.empty(), false);

    public Anonymous {
      Objects.requireNonNull(audit, "audit");
      Objects.requireNonNull(userHandle, "userHandle");
    }

    /** Anonymous for a reason other than an outage. */
    public Anonymous(Optional<AuditNote> audit, Optional<String> userHandle) {
      this(audit, userHandle, false);
    }

    static Anonymous noCookie() {
      return NO_COOKIE;
    }

    static Anonymous refused(AuditEventType type, String reason, String userHandle) {
      return new Anonymous(
          Optional.of(AuditNote.failure(type, reason)), Optional.ofNullable(userHandle));
    }

    /** A store did not answer; the cookie is kept. */
    static Anonymous unavailable(AuditEventType type, String reason, String userHandle) {
      return new Anonymous(
          Optional.of(AuditNote.failure(type, reason)), Optional.ofNullable(userHandle), true);
    }

    /** Whether there was a cookie that must now be expired in the browser: refused, and not for an outage. */
    public boolean cookieToClear() {
      return audit.isPresent() && !storeUnavailable;
    }
  }
}
