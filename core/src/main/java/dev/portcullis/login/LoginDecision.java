package dev.portcullis.login;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.user.PortalUser;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link PortalLogin} decided about a login: by password, by single sign-on, or by a legacy cookie. A refusal is
 * a normal result; its note is for the audit log only, never for the client.
 */
public sealed interface LoginDecision permits LoginDecision.Accepted, LoginDecision.Refused {

  /**
   * The user is logged in. The request's session already belongs to them under a new id (through
   * {@link LoginSession#rotateTo}), and {@link #ticket()} is bound to that id. The caller sets the auth cookie to
   * {@link IssuedTicket#cookieValue()}, makes the user the request's principal, gives the session a fresh CSRF token,
   * and records {@link #audit()} in order, with the user as actor.
   *
   * @param user the account, as it is after the login (terms accepted now included)
   * @param ticket the new auth ticket and its cookie value
   * @param audit the events to record, in order
   */
  record Accepted(PortalUser user, IssuedTicket ticket, List<AuditNote> audit)
      implements LoginDecision {
    public Accepted {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(ticket, "ticket");
      audit = List.copyOf(audit);
    }

    /** Whether the user accepted the current terms of use with this login. */
    public boolean termsAcceptedNow() {
      return audit.stream().anyMatch(n -> n.type().equals(AuditEventType.TERMS_ACCEPTED));
    }
  }

  /**
   * Nobody was logged in and the request is as it was.
   *
   * @param audit the event to record; its type says what kind of refusal, its reason why
   * @param user the account the attempt named, when it is known: the actor of the event
   * @param unavailable whether the login could not be decided because a store did not answer (the user directory,
   *     the login limit's store, the account-link store, the session store as the login rotates the session, the
   *     replay store of a legacy login): the adapter answers that the service is unavailable for now, not that the
   *     credentials were refused, as the visitor did nothing wrong and would otherwise try other passwords
   */
  record Refused(AuditNote audit, Optional<PortalUser> user, boolean unavailable)
      implements LoginDecision {
    public Refused {
      Objects.requireNonNull(audit, "audit");
      Objects.requireNonNull(user, "user");
    }

    /** A refusal of the login itself, not an outage. */
    public Refused(AuditNote audit, Optional<PortalUser> user) {
      this(audit, user, false);
    }

    static Refused of(AuditEventType type, String reason, PortalUser user) {
      return new Refused(AuditNote.failure(type, reason), Optional.ofNullable(user));
    }

    /** Not decided: a store did not answer. */
    static Refused unavailable(AuditEventType type, String reason, PortalUser user) {
      return new Refused(AuditNote.failure(type, reason), Optional.ofNullable(user), true);
    }
  }
}
