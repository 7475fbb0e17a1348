package dev.portcullis.testing;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyStatus;
import java.time.Instant;

/**
 * Fixed key rings for tests whose sealed values must be reproducible (committed fuzz seeds). The secrets are public
 * test constants: never use them outside tests.
 *
 * <p>The rings tell one rotation story with three keys: {@link #CURRENT_ID} seals now, {@link #PREVIOUS_ID} sealed
 * before the rotation and still opens, {@link #REVOKED_ID} is revoked. {@link #beforeRotation()} and {@link
 * #beforeRevocation()} are the same keys at earlier moments, to seal values the current ring must judge.
 */
public final class TestKeyRings {
  public static final int CURRENT_ID = 0x0000A001;
  public static final int PREVIOUS_ID = 0x0000A002;
  public static final int REVOKED_ID = 0x0000A003;

  private static final Instant CREATED = Instant.parse("2025-10-01T00:00:00Z");

  private TestKeyRings() {}

  /** {@link #CURRENT_ID} active, {@link #PREVIOUS_ID} decrypt-only, {@link #REVOKED_ID} revoked. */
  public static KeyRing current() {
    return ring(KeyStatus.ACTIVE, KeyStatus.DECRYPT_ONLY, KeyStatus.REVOKED);
  }

  /** {@link #PREVIOUS_ID} active; the other two decrypt-only. */
  public static KeyRing beforeRotation() {
    return ring(KeyStatus.DECRYPT_ONLY, KeyStatus.ACTIVE, KeyStatus.DECRYPT_ONLY);
  }

  /** {@link #REVOKED_ID} active, before it was revoked; the other two decrypt-only. */
  public static KeyRing beforeRevocation() {
    return ring(KeyStatus.DECRYPT_ONLY, KeyStatus.DECRYPT_ONLY, KeyStatus.ACTIVE);
  }

  /** Another deployment's ring: the same key ids with other secrets, so nothing it seals may open under ours. */
  public static KeyRing foreign() {
    return KeyRing.builder()
        .add(CURRENT_ID, KeyStatus.ACTIVE, CREATED, secret(0x71))
        .add(PREVIOUS_ID, KeyStatus.DECRYPT_ONLY, CREATED, secret(0x91))
        .build();
  }

  private static KeyRing ring(KeyStatus current, KeyStatus previous, KeyStatus revoked) {
    return KeyRing.builder()
        .add(CURRENT_ID, current, CREATED, secret(0x01))
        .add(PREVIOUS_ID, previous, CREATED, secret(0x21))
        .add(REVOKED_ID, revoked, CREATED, secret(0x41))
        .build();
  }

  private static KeyMaterial secret(int first) {
    byte[] b = new byte[KeyMaterial.MIN_LENGTH];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (first + i);
    }
    return KeyMaterial.copyOf(b);
  }
}
