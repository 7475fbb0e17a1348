package dev.portcullis.redis;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.login.LoginThrottle;
import dev.portcullis.servlet.testing.PortalNode;
import dev.portcullis.session.SessionConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;

/**
 * A portal node on a real Jetty whose sessions, revocations and login limit are in {@code server} under {@code
 * prefix}: a fresh random key, Alice and Bob ({@link PortalNode#aliceAndBob()}), the system clock. Closing the node
 * closes the stores.
 */
final class RedisPortalNode {
  private RedisPortalNode() {}

  @SuppressForbidden(reason = "Redis TTLs run on Redis's real clock")
  static PortalNode start(RedisServer server, String prefix, SecureRandom random) throws Exception {
    InstantSource clock = InstantSource.system();
    RedisStores stores =
        RedisStores.connect(SharedRedis.patientConfig(server).keyPrefix(prefix).build(), clock);
    byte[] key = new byte[32];
    random.nextBytes(key);
    return PortalNode.builder(
            stores.sessionStore(SessionConfig.defaults()), stores.revocationStore())
        .keyRing(KeyRing.builder()
            .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
            .build())
        .users(PortalNode.aliceAndBob())
        .clock(clock)
        .random(random)
        .throttle(LoginThrottle.builder(clock).random(random).build())
        .onClose(stores)
        .start();
  }
}
