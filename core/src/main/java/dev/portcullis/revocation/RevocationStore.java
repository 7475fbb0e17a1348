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
   * Every ticket of {@code userHandle} issued at or before {@code cutOff} is revoked ("log out everywhere"); the
   * cut-off is kept until {@code keepUntil}, the latest expiry of any ticket it covers. A later cut-off wins.
   */
  void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil);

  /** Whether a ticket with this id, user and issue time has been revoked, one way or the other. */
  boolean isRevoked(String ticketId, String userHandle, Instant issuedAt);

  /** The embedded default: Caffeine, one node. */
  static RevocationStore inMemory(InstantSource clock) {
    return new CaffeineRevocationStore(clock, 1_000_000);
  }
}
