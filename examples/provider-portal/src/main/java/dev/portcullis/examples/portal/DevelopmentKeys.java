package dev.portcullis.examples.portal;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the portal's key ring comes from. {@code PORTCULLIS_KEY_RING} in the environment wins, as it would in production;
 * otherwise the portal uses the development key file in its data folder, made on first start and reused after.
 *
 * <p><b>Security.</b> There is no key in the code. The development key file is created owner-readable only and never
 * overwritten: a file that can't be read stops the start-up instead of being silently replaced, which would log
 * everybody out and hide the problem. Key material is never logged.
 */
final class DevelopmentKeys {
  static final String FILE_NAME = "keyring.txt";
  private static final Logger log = LoggerFactory.getLogger(DevelopmentKeys.class);

  private DevelopmentKeys() {}

  static KeyRing load(
      Path dataDir, Map<String, String> env, InstantSource clock, SecureRandom random)
      throws IOException {
    String fromEnv = env.get(KeyRingSources.ENV_VARIABLE);
    if (fromEnv != null && !fromEnv.isBlank()) {
      log.info("Keys from the environment variable {}", KeyRingSources.ENV_VARIABLE);
      return KeyRingSources.fromEnvironment(env);
    }
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      log.warn(
          "Using the DEVELOPMENT key ring {}. Production must supply its own keys ({} or a key file made"
              + " with KeyTool).",
          file,
          KeyRingSources.ENV_VARIABLE);
      return KeyRingSources.fromFile(file);
    }
    KeyRing ring = KeyRing.builder()
        .add(newKeyId(random), KeyStatus.ACTIVE, clock.instant(), KeyMaterial.generate(random))
        .build();
    KeyRingSources.createFile(ring, file);
    log.warn(
        "Created a DEVELOPMENT key ring in {}. It is for this machine only: production must supply its own keys"
            + " ({} or a key file made with KeyTool).",
        file,
        KeyRingSources.ENV_VARIABLE);
    return ring;
  }

  private static int newKeyId(SecureRandom random) {
    int id;
    do {
      id = random.nextInt();
    } while (id == 0);
    return id;
  }
}
