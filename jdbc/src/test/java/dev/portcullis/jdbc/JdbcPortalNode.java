package dev.portcullis.jdbc;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import javax.sql.DataSource;

/**
 * A portal node on a real Jetty whose sessions and revocations are in {@code pool}'s database: a fresh random key,
 * Alice and Bob ({@link PortalNode#aliceAndBob()}). Closing the node closes the stores; the caller keeps the pool.
 */
final class JdbcPortalNode {
  private JdbcPortalNode() {}

  static PortalNode start(DataSource pool, InstantSource clock, SecureRandom random)
      throws Exception {
    byte[] key = new byte[32];
    random.nextBytes(key);
    JdbcStores stores = JdbcStores.builder(pool, clock).build();
    return PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
            .build())
        .users(PortalNode.aliceAndBob())
        .clock(clock)
        .random(random)
        .onClose(stores)
        .start();
  }
}
