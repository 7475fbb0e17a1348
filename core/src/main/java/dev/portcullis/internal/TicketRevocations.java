package dev.portcullis.internal;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.ticket.AuthTicket;

/**
 * A {@link RevocationStore} that answers the check of an authenticated request from the ticket itself: the same
 * answer as {@code isRevoked(ticket.ticketIdHex(), ticket.userHandle(), ticket.authTime())}, but without making the
 * ticket id's key or an {@code Instant} unless the store may hold a revocation for them. The in-memory store offers
 * it; a store that does not is asked through {@link RevocationStore#isRevoked}.
 */
public interface TicketRevocations {

  /**
   * Whether {@code ticket} is revoked, one way or the other, exactly as {@link RevocationStore#isRevoked} answers for
   * its id, user and login time ({@code authTime}).
   */
  boolean isRevoked(AuthTicket ticket);
}
