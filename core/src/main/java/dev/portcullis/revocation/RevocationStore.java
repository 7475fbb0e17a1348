package dev.portcullis.revocation;

import java.time.Instant;
import java.time.InstantSource;

/**
 * Remembers revoked auth tickets until they would have expired anyway, and per-user cut-offs for "log out
 * everywhere".
 *
 * <p><b>Security.</b> Implementations that cannot answer (a remote store that is down or slow) throw {@link
 * StoreUnavailableException} within a bounded time; callers then treat the ticket as not valid. Never answer "not
 * revoked" on failure.
 */
public interface RevocationStore {

  /** Ticket {@code ticketId} is revoked; it may be forgotten after {@code expiresAt}. */
  void revoke(String ticketId, Instant expiresAt);

  /**
   * Every ticket of {@code userHandle} whose login was made at or before {@code cutOff} is revoked ("log out
   * everywhere"): the time {@link #isRevoked} is given is compared with the cut-off. The cut-off is kept until
   * {@code keepUntil}, the latest expiry of any ticket it covers. A later cut-off wins.
   */
  void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil);

  /**
   * Whether a ticket with this id, user and login time has been revoked, one way or the other.
   *
   * @param issuedAt when the ticket's login was made: for an auth ticket its {@code authTime}, which every renewal
   *     keeps, so that a cut-off also covers a renewal issued after it by a request checked before it (on another
   *     node, or on a clock ahead of the cut-off's); for a legacy login cookie, its issue time
   */
  boolean isRevoked(String ticketId, String userHandle, Instant issuedAt);

  /** The embedded default: Caffeine, one node. */
  static RevocationStore inMemory(InstantSource clock) {
    return new CaffeineRevocationStore(clock, 1_000_000);
  }
}
