package dev.portcullis.crypto;

import static dev.portcullis.crypto.TestKeys.CREATED;
import static dev.portcullis.crypto.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingSourcesTest {
  @TempDir
  Path dir;

  private static String b64(KeyMaterial k) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(k.toByteArray(SecretAccess.insecure()));
  }

  @Test
  void file_roundTrips_andIsOwnerOnly() throws Exception {
    KeyRing ring =
        TestKeys.single(0x11223344, 1).withNewKey(0x55667788, key(2), CREATED.plusSeconds(5));
    Path file = dir.resolve("keys.txt");
    KeyRingSources.createFile(ring, file);

    KeyRing read = KeyRingSources.fromFile(file);
    assertThat(read.keys()).isEqualTo(ring.keys());
    assertThat(read.material(0x55667788, SecretAccess.insecure())).isEqualTo(key(2));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThatThrownBy(() -> KeyRingSources.createFile(ring, file))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
  }

  @Test
  void keyFileSavedWithAByteOrderMarkAndCrLf_isRead_byTheStartAndByTheWatcher() throws Exception {
    KeyRing ring =
        TestKeys.single(0x11223344, 1).withNewKey(0x55667788, key(2), CREATED.plusSeconds(5));
    Path file = dir.resolve("keys.txt");
    KeyRingSources.createFile(ring, file);
    // As an editor on Windows saves it: a byte order mark before the comment line, CR LF line ends.
    String saved = (char) 0xFEFF + Files.readString(file).replace("\n", "\r\n");
    Files.writeString(file, saved);

    assertThat(KeyRingSources.fromFile(file).keys()).isEqualTo(ring.keys());
    try (ReloadingKeyRing watched = KeyRingSources.watchFile(file)) {
      assertThat(watched.current().keys()).isEqualTo(ring.keys());
    }
  }

  @Test
  void environment_acceptsSemicolonSeparatedLines() {
    String value = "portcullis-keyring 1;key 00000001 ACTIVE 2026-01-01T00:00:00Z " + b64(key(1))
        + "; key 00000002 decrypt_only 2025-01-01T00:00:00Z " + b64(key(2));
    KeyRing ring = KeyRingSources.fromEnvironment(Map.of("PORTCULLIS_KEY_RING", value));
    assertThat(ring.activeKey().id()).isEqualTo(1);
    assertThat(ring.keys()).hasSize(2);
  }

  @Test
  void missingEnvironmentVariable_failsAndSaysThereIsNoDefaultKey() {
    assertThatThrownBy(() -> KeyRingSources.fromEnvironment(Map.of()))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("PORTCULLIS_KEY_RING is not set")
        .hasMessageContaining("no default key");
  }

  @Test
  void malformedSources_failWithTheEntryNumberAndWithoutTheSecret() {
    String secret = b64(key(7));
    String shortSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[16]);
    Map<String, String> cases = Map.of(
        "key 00000001 ACTIVE 2026-01-01T00:00:00Z",
        "expected 'key",
        "key 1 ACTIVE 2026-01-01T00:00:00Z " + secret,
        "8 lower-case hex digits",
        "key 00000001 SOMETIMES 2026-01-01T00:00:00Z " + secret,
        "unknown status",
        "key 00000001 ACTIVE yesterday " + secret,
        "ISO-8601",
        "key 00000001 ACTIVE 2026-01-01T00:00:00Z " + secret.replace('A', '!') + "!",
        "not base64url",
        "key 00000001 ACTIVE 2026-01-01T00:00:00Z " + shortSecret,
        "16 bytes",
        "portcullis-keyring 2\nkey 00000001 ACTIVE 2026-01-01T00:00:00Z " + secret,
        "format",
        "# only a comment",
        "no keys found");
    cases.forEach((text, expected) -> assertThatThrownBy(
            () -> KeyRingSources.fromEnvironment(Map.of("PORTCULLIS_KEY_RING", text)))
        .as(text)
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining(expected)
        .hasMessageContaining("environment variable PORTCULLIS_KEY_RING")
        .hasMessageNotContaining(secret)
        .hasMessageNotContaining(shortSecret));
  }

  @Test
  void missingFile_isAClearStartupError() {
    assertThatThrownBy(() -> KeyRingSources.fromFile(dir.resolve("absent.txt")))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("cannot read key file");
  }

  /**
   * Regression: a first start without a key file said only "cannot read key file data/keys.txt:
   * NoSuchFileException", neither where a relative path pointed nor how to make the file.
   */
  @Test
  void missingFile_isNamedWithItsAbsolutePath_andTheCommandThatMakesOne() {
    Path relative = Path.of("no-such-folder-" + System.nanoTime(), "keys.txt");
    for (ThrowingCallable read : List.<ThrowingCallable>of(
        () -> KeyRingSources.fromFile(relative),
        () -> KeyRingSources.watchFile(relative).close())) {
      assertThatThrownBy(read)
          .isInstanceOf(InvalidKeyRingException.class)
          .hasMessageContaining("cannot read key file " + relative + ": there is no such file ("
              + relative.toAbsolutePath() + ")")
          .hasMessageContaining("dev.portcullis.crypto.KeyTool create " + relative);
    }
  }

  /**
   * Regression: the variable set to a key file's path, a likely first mistake, was refused as "entry 1: expected
   * 'key <8 hex id> ...'", which did not say that the variable holds the ring itself.
   */
  @Test
  void variableHoldingAPath_isRefused_sayingItMustHoldTheRingItself_withoutQuotingIt() {
    for (String value : List.of("/etc/portal/keys.txt", b64(key(5)))) {
      assertThatThrownBy(
              () -> KeyRingSources.fromEnvironment(Map.of(KeyRingSources.ENV_VARIABLE, value)))
          .isInstanceOf(InvalidKeyRingException.class)
          .hasMessageContaining("environment variable PORTCULLIS_KEY_RING holds no key ring")
          .hasMessageContaining("KeyTool env FILE")
          .hasMessageContaining("portcullis.keys.file")
          .hasMessageNotContaining(value);
    }
  }

  @Test
  void pkcs12_readsSecretKeyEntriesByAlias() throws Exception {
    char[] password = "store-pass".toCharArray();
    Path file = dir.resolve("keys.p12");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, password);
    ks.setEntry(
        "0a0b0c0d.active",
        new KeyStore.SecretKeyEntry(
            new SecretKeySpec(key(3).toByteArray(SecretAccess.insecure()), "AES")),
        new KeyStore.PasswordProtection(password));
    ks.setEntry(
        "01020304.decrypt_only",
        new KeyStore.SecretKeyEntry(
            new SecretKeySpec(key(4).toByteArray(SecretAccess.insecure()), "AES")),
        new KeyStore.PasswordProtection(password));
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, password);
    }

    KeyRing ring = KeyRingSources.fromPkcs12(file, password);
    assertThat(ring.activeKey().idHex()).isEqualTo("0a0b0c0d");
    assertThat(ring.material(0x01020304, SecretAccess.insecure())).isEqualTo(key(4));

    assertThatThrownBy(() -> KeyRingSources.fromPkcs12(file, "wrong".toCharArray()))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("wrong password");
  }

  @Test
  void pkcs12_refusesAliasesItCannotRead() throws Exception {
    char[] password = "p".toCharArray();
    Path file = dir.resolve("bad.p12");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, password);
    ks.setEntry(
        "my-key",
        new KeyStore.SecretKeyEntry(
            new SecretKeySpec(key(5).toByteArray(SecretAccess.insecure()), "AES")),
        new KeyStore.PasswordProtection(password));
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, password);
    }
    assertThatThrownBy(() -> KeyRingSources.fromPkcs12(file, password))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("'my-key'");
  }
}
