package dev.portcullis.benchmarks;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.login.PortalLogin;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;

/**
 * The user the Portcullis benchmarks log in (alice of riverside, an enabled provider who accepted the current terms),
 * and the key ring they seal her cookies under.
 */
final class BenchmarkUser {
  /** The current terms of use, which alice accepted. */
  static final String TERMS = "2026-01";

  private BenchmarkUser() {}

  /** A ring of one random active key. */
  static KeyRing randomRing(SecureRandom random) {
    byte[] key = new byte[32];
    random.nextBytes(key);
    return KeyRing.builder()
        .add(1, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.copyOf(key))
        .build();
  }

  /** The login over {@code ring} and {@code users}, with an in-memory revocation store, on the current terms. */
  static PortalLogin login(
      KeyRing ring, InMemoryUserDirectory users, InstantSource clock, SecureRandom random) {
    return PortalLogin.builder()
        .keyRing(ring)
        .users(users)
        .revocations(RevocationStore.inMemory(clock))
        .clock(clock)
        .random(random)
        .termsVersion(TERMS)
        .build();
  }

  /** A directory holding alice (user name {@code alice}, password {@code alice-pw}, handle {@code u-alice}). */
  static InMemoryUserDirectory directory(SecureRandom random) {
    return new InMemoryUserDirectory(PasswordHasher.standard(random))
        .add(
            "alice",
            "alice-pw".toCharArray(),
            new PortalUser(
                "u-alice",
                "Alice Adams",
                "alice@riverside.example",
                Set.of("PROVIDER"),
                "riverside",
                true,
                TERMS));
  }
}
