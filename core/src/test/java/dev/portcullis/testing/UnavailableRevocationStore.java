package dev.portcullis.testing;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import java.time.Instant;

/**
 * A {@link RevocationStore} in an outage: every operation throws {@link StoreUnavailableException} with the same
 * detail, as a database or Redis store does while it cannot be reached.
 */
public final class UnavailableRevocationStore implements RevocationStore {
  private final String detail;

  /** An outage whose exceptions say {@code down}. */
  public UnavailableRevocationStore() {
    this("down");
  }

  /** An outage whose exceptions carry {@code detail}, for tests that check where such a detail may appear. */
  public UnavailableRevocationStore(String detail) {
    this.detail = detail;
  }

  @Override
  public void revoke(String ticketId, Instant expiresAt) {
    throw new StoreUnavailableException(detail, null);
  }

  @Override
  public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
    throw new StoreUnavailableException(detail, null);
  }

  @Override
  public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
    throw new StoreUnavailableException(detail, null);
  }
}
