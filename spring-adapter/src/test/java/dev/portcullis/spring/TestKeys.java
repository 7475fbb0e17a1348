package dev.portcullis.spring;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;

/** Key sources written for a test: key files, a key ring in text form, a PKCS12 store. */
final class TestKeys {
  static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestKeys() {}

  static KeyRing ring() {
    return KeyRing.builder()
        .add(0x0a1b2c3d, KeyStatus.ACTIVE, CREATED, KeyMaterial.generate(RANDOM))
        .build();
  }

  /** A new key file with one fresh active key. */
  static Path file(Path dir) throws IOException {
    Path file = dir.resolve("keys-" + System.nanoTime() + ".txt");
    KeyRingSources.createFile(ring(), file);
    return file;
  }

  /** The text form of a ring with one key of {@code bytes} bytes. */
  static String text(int bytes) {
    byte[] secret = new byte[bytes];
    RANDOM.nextBytes(secret);
    return "key 0a1b2c3d ACTIVE 2026-01-01T00:00:00Z "
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  static Path fileWithText(Path dir, String text) throws IOException {
    Path file = dir.resolve("keys-" + System.nanoTime() + ".txt");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  /** A PKCS12 store holding one active AES key. */
  static Path pkcs12(Path dir, char[] password) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, password);
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    store.setEntry(
        "0a1b2c3d.active",
        new KeyStore.SecretKeyEntry(new SecretKeySpec(secret, "AES")),
        new KeyStore.PasswordProtection(password));
    Path file = dir.resolve("keys-" + System.nanoTime() + ".p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password);
    }
    return file;
  }
}
