package dev.portcullis.aspnet;

import java.util.Objects;

/**
 * What {@link FormsAuthentication#open(String)} found in a cookie: a {@link Valid} ticket, an {@link Expired} one, or
 * {@link NotValid nothing usable}. A rejected cookie is an ordinary outcome, never an exception.
 *
 * <p><b>Security.</b> Only {@link FormsAuthentication} can make a {@link Valid} or {@link Expired}: both carry a ticket
 * whose MAC was checked under the configured machine key. {@link NotValid#reason()} is for the audit log; the client
 * should see the same response whatever the reason.
 */
public sealed interface TicketResult {

  /** An authentic ticket that has not expired at the verifier's clock. */
  final class Valid implements TicketResult {
    private final FormsAuthenticationTicket ticket;

    Valid(FormsAuthenticationTicket ticket) {
      this.ticket = Objects.requireNonNull(ticket);
    }

    public FormsAuthenticationTicket ticket() {
      return ticket;
    }

    @Override
    public String toString() {
      return "Valid[" + ticket + "]";
    }
  }

  /**
   * An authentic ticket whose expiration has passed. The ticket says who it was, for an audit event such as
   * {@code session_expired}; it must not log anyone in.
   */
  final class Expired implements TicketResult {
    private final FormsAuthenticationTicket ticket;

    Expired(FormsAuthenticationTicket ticket) {
      this.ticket = Objects.requireNonNull(ticket);
    }

    public FormsAuthenticationTicket ticket() {
      return ticket;
    }

    @Override
    public String toString() {
      return "Expired[" + ticket + "]";
    }
  }

  /** No usable ticket. The reason is for the audit log only. */
  final class NotValid implements TicketResult {
    /** Why a cookie was refused, in the order the checks run. */
    public enum Reason {
      /** No cookie value, or an empty one. */
      MISSING,
      /** Longer than the configured maximum; refused before decoding. */
      TOO_LONG,
      /** Not an even number of hex digits. */
      NOT_HEX,
      /** Too short, or not a whole number of cipher blocks: no key could have made it. */
      WRONG_LENGTH,
      /** The MAC over the ciphertext does not match: tampered, forged, or a different machine key. */
      MAC_MISMATCH,
      /** The MAC matched but the ciphertext did not decrypt. Only a holder of the validation key can cause this. */
      DECRYPTION_FAILED,
      /**
       * Legacy modes: the outer MAC matched and the cookie decrypted, but the MAC inside over the ticket did not
       * match. Seen with cookies from third-party encoders that leave out .NET's random prefix.
       */
      INNER_MAC_MISMATCH,
      /** Authentic and decrypted, but not a ticket in the configured layout. */
      MALFORMED_TICKET
    }

    private final Reason reason;

    NotValid(Reason reason) {
      this.reason = Objects.requireNonNull(reason);
    }

    public Reason reason() {
      return reason;
    }

    @Override
    public String toString() {
      return "NotValid[" + reason + "]";
    }
  }
}
