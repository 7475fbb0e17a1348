package dev.portcullis.crypto;

import java.time.Instant;
import java.util.Arrays;

/** Fixed keys for tests in this package: byte {@code seed} repeated 32 times. */
final class TestKeys {
  static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

  private TestKeys() {}

  static KeyMaterial key(int seed) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) seed);
    return KeyMaterial.copyOf(b);
  }

  static KeyRing single(int id, int seed) {
    return KeyRing.builder().add(id, KeyStatus.ACTIVE, CREATED, key(seed)).build();
  }
}
