package dev.portcullis.ticket;

import dev.portcullis.crypto.KeyInfo;
import dev.portcullis.crypto.Opened;
import java.util.Objects;

/**
 * The outcome of {@link TicketVerifier#verify}. Only the verifier makes these. For the client, anything but {@link
 * Valid} means one thing: not logged in. The detail ({@link NotValid#reason()}, the expired ticket) is for the audit
 * log.
 */
public sealed interface TicketCheck
    permits TicketCheck.Valid, TicketCheck.Expired, TicketCheck.NotValid {

  /** An authentic, unexpired ticket. Revocation and session binding are the caller's next checks. */
  final class Valid implements TicketCheck {
    private final AuthTicket ticket;
    private final KeyInfo key;
    private final boolean pastHalfLife;

    Valid(AuthTicket ticket, KeyInfo key, boolean pastHalfLife) {
      this.ticket = ticket;
      this.key = key;
      this.pastHalfLife = pastHalfLife;
    }

    public AuthTicket ticket() {
      return ticket;
    }

    /** The key that sealed it: not the active key when the cookie predates a rotation. */
    public KeyInfo key() {
      return key;
    }

    /**
     * Whether half the ticket's lifetime had passed when it was checked ({@link AuthTicket#isPastHalfLife}), judged at
     * the same reading of the clock as its expiry: time to issue a renewal.
     */
    public boolean pastHalfLife() {
      return pastHalfLife;
    }

    @Override
    public String toString() {
      return "Valid[" + ticket + "]";
    }
  }

  /** An authentic ticket whose expiry has passed. */
  final class Expired implements TicketCheck {
    private final AuthTicket ticket;

    Expired(AuthTicket ticket) {
      this.ticket = ticket;
    }

    public AuthTicket ticket() {
      return ticket;
    }

    @Override
    public String toString() {
      return "Expired[" + ticket + "]";
    }
  }

  /** Not a ticket this verifier accepts. */
  final class NotValid implements TicketCheck {
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

  /** Why a ticket was refused, for the audit log. */
  enum Reason {
    /** Over {@link dev.portcullis.crypto.Sealer#MAX_SEALED_LENGTH} characters. */
    OVERSIZED,
    /** Not a well-formed sealed value, or a sealed value whose plaintext is not a well-formed ticket. */
    MALFORMED,
    /** A format version this code does not read. */
    UNSUPPORTED_VERSION,
    /** Sealed under a key id the ring does not hold. */
    UNKNOWN_KEY,
    /** Sealed under a revoked key. */
    REVOKED_KEY,
    /** The seal did not verify: tampered, sealed for another purpose or cookie name, or by another ring. */
    TAMPERED;

    static Reason of(Opened.Reason r) {
      return switch (r) {
        case OVERSIZED -> OVERSIZED;
        case MALFORMED -> MALFORMED;
        case UNSUPPORTED_VERSION -> UNSUPPORTED_VERSION;
        case UNKNOWN_KEY -> UNKNOWN_KEY;
        case REVOKED_KEY -> REVOKED_KEY;
        case AUTHENTICATION_FAILED -> TAMPERED;
      };
    }
  }
}
