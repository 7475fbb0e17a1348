package dev.portcullis.jdbc;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.UnaryOperator;
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

  /**
   * A node on {@code stores} with a fresh random key, {@code clock}, {@code random}, {@code audit} and the login limit
   * with its budgets in the database, whose bounds {@code limits} sets (the identity for the defaults); the caller
   * adds the users (and anything else) and starts it. The caller closes the stores, the audit log and the pool.
   */
  static PortalNode.Builder throttled(
      JdbcStores stores,
      InstantSource clock,
      SecureRandom random,
      AuditLog audit,
      UnaryOperator<LoginThrottle.Builder> limits) {
    return PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
            .build())
        .throttle(limits
            .apply(LoginThrottle.builder(clock).random(random))
            .store(stores.loginAttemptStore())
            .hashKey(KeyMaterial.generate(random))
            .build())
        .clock(clock)
        .random(random)
        .audit(audit);
  }
}
