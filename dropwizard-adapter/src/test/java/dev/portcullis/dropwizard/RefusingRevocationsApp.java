package dev.portcullis.dropwizard;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.revocation.StoreUnavailableException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link PortalApp} whose revocation store (in memory) refuses writes while {@link #revocationWritesFail} is set, as a
 * store that answers reads but cannot take a revocation would.
 */
public class RefusingRevocationsApp extends PortalApp {
  final AtomicBoolean revocationWritesFail = new AtomicBoolean();

  public RefusingRevocationsApp() {
    RevocationStore memory = RevocationStore.inMemory(clock);
    RevocationStore refusing = new RevocationStore() {
      @Override
      public void revoke(String ticketId, Instant expiresAt) {
        refuseWhileDown();
        memory.revoke(ticketId, expiresAt);
      }

      @Override
      public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
        refuseWhileDown();
        memory.revokeAllIssuedBefore(userHandle, cutOff, keepUntil);
      }

      @Override
      public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
        return memory.isRevoked(ticketId, userHandle, issuedAt);
      }
    };
    bundle.customize((config, builder) -> builder.auditSink(sink).revocations(refusing));
  }

  private void refuseWhileDown() {
    if (revocationWritesFail.get()) {
      throw new StoreUnavailableException("revocation store refuses writes (test)", null);
    }
  }
}
