package dev.portcullis.examples.springboot;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;

/**
 * Creates the example's development key file on first start. For this example only: a production portal supplies
 * its own keys (a key file made with {@code KeyTool create}, the {@code PORTCULLIS_KEY_RING} variable or a PKCS12 store)
 * and never makes one at start-up.
 */
final class DevKeyFile {
  private DevKeyFile() {}

  /** Creates {@code file} with one fresh active key unless it exists; returns whether it created it. */
  static boolean ensure(Path file, InstantSource clock, SecureRandom random) throws IOException {
    if (Files.exists(file)) {
      return false;
    }
    KeyRing ring = KeyRing.builder()
        .add(random.nextInt() | 1, KeyStatus.ACTIVE, clock.instant(), KeyMaterial.generate(random))
        .build();
    KeyRingSources.createFile(ring, file);
    System.err.println("Created a DEVELOPMENT key file at " + file.toAbsolutePath()
        + " (active key " + ring.activeKey().idHex()
        + "). Production must supply its own keys: this file is for this example only.");
    return true;
  }
}
