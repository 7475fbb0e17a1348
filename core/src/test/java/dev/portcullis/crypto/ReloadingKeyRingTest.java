package dev.portcullis.crypto;

import static dev.portcullis.crypto.TestKeys.CREATED;
import static dev.portcullis.crypto.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingKeyRingTest {
  private static final int K1 = 0x11111111;
  private static final int K2 = 0x22222222;
  /** Long enough that only {@link ReloadingKeyRing#reload()} reads the file in these tests. */
  private static final Duration MANUAL = Duration.ofHours(1);

  @TempDir
  Path dir;

  private final SecureRandom random = new SecureRandom();
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private ReloadingKeyRing watch(Path file, Duration interval) {
    ReloadingKeyRing ring = KeyRingSources.watchFile(file, interval);
    open.add(ring);
    ring.addListener(new ReloadingKeyRing.Listener() {
      @Override
      public void reloaded(KeyRing previous, KeyRing current) {
        events.add("reloaded " + current);
      }

      @Override
      public void refused(String reason) {
        events.add("refused " + reason);
      }
    });
    return ring;
  }

  private Path keyFile(KeyRing ring) throws Exception {
    Path file = dir.resolve("keys.txt");
    KeyRingSources.writeFile(ring, file);
    return file;
  }

  @Test
  void addPromoteRevoke_reachASealerBuiltBeforehand_withoutARestart() throws Exception {
    KeyRing first = TestKeys.single(K1, 1);
    Path file = keyFile(first);
    ReloadingKeyRing ring = watch(file, MANUAL);
    Sealer sealer = Sealer.create(ring, Purpose.AUTH_TICKET, random);
    String underK1 = sealer.seal(new byte[] {1}, "c");

    KeyRing added = first.withNewKey(K2, key(2), CREATED);
    KeyRingSources.writeFile(added, file);
    assertThat(ring.reload()).isTrue();
    assertThat(ring.current().keys()).hasSize(2);
    assertThat(((Opened.Ok) sealer.open(sealer.seal(new byte[] {2}, "c"), "c"))
            .key()
            .id())
        .as("a decrypt-only key does not seal")
        .isEqualTo(K1);

    KeyRingSources.writeFile(added.promote(K2), file);
    assertThat(ring.reload()).isTrue();
    String underK2 = sealer.seal(new byte[] {3}, "c");
    assertThat(((Opened.Ok) sealer.open(underK2, "c")).key().id()).isEqualTo(K2);
    assertThat(sealer.open(underK1, "c"))
        .as("values sealed before the promotion still open")
        .isInstanceOf(Opened.Ok.class);

    KeyRingSources.writeFile(added.promote(K2).revoke(K1), file);
    assertThat(ring.reload()).isTrue();
    assertThat(sealer.open(underK1, "c")).isEqualTo(new Opened.Failed(Opened.Reason.REVOKED_KEY));
    assertThat(sealer.open(underK2, "c")).isInstanceOf(Opened.Ok.class);
    assertThat(events).hasSize(3).allMatch(e -> e.startsWith("reloaded "));
  }

  /**
   * A key file that others may write, when it is read again: its new keys are refused, naming the file and its
   * permissions, and the ring in use stays; once only its owner may write it, it is read.
   */
  @Test
  void aFileOthersMayWrite_isRefusedAtAReload_theOldRingStays() throws Exception {
    Assumptions.assumeTrue(
        Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
        "file permissions need a POSIX file system");
    KeyRing first = TestKeys.single(K1, 1);
    Path file = keyFile(first);
    ReloadingKeyRing ring = watch(file, MANUAL);
    KeyRing before = ring.current();

    KeyRingSources.writeFile(first.withNewKey(K2, key(2), CREATED), file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThat(ring.reload()).isFalse();
    assertThat(ring.current()).isSameAs(before);
    assertThat(events).hasSize(1);
    assertThat(events.get(0))
        .startsWith("refused cannot read key file " + file + ": key file " + file
            + " can be written by others (rw-rw-rw-)");

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(ring.reload()).isTrue();
    assertThat(ring.current().keys()).hasSize(2);
  }

  @Test
  void anUnchangedFile_isNotReloaded() throws Exception {
    Path file = keyFile(TestKeys.single(K1, 1));
    ReloadingKeyRing ring = watch(file, MANUAL);
    KeyRing before = ring.current();
    KeyRingSources.writeFile(TestKeys.single(K1, 1), file); // same bytes, new file
    assertThat(ring.reload()).isFalse();
    assertThat(ring.current()).isSameAs(before);
    assertThat(events).isEmpty();
  }

  @Test
  void aBrokenFile_isRefusedOnce_theOldRingStays_andAFixedFileIsRead() throws Exception {
    KeyRing first = TestKeys.single(K1, 1);
    Path file = keyFile(first);
    ReloadingKeyRing ring = watch(file, MANUAL);
    KeyMac mac = new KeyMac(KeyedMac.create(ring, Purpose.LOGIN_FORM));
    String tag = mac.tag();
    KeyRing before = ring.current();

    String secret = KeyRingText.format(first.withNewKey(K2, key(2), CREATED));
    // Half of the file, as an editor that writes in place leaves it for a moment.
    Files.writeString(file, secret.substring(0, secret.length() - 20), StandardCharsets.UTF_8);
    assertThat(ring.reload()).isFalse();
    assertThat(ring.reload()).as("the same broken file is reported once").isFalse();
    assertThat(ring.current()).isSameAs(before);
    assertThat(mac.verify(tag)).isTrue();
    assertThat(events).hasSize(1);
    assertThat(events.get(0)).startsWith("refused key file " + file);
    assertThat(String.join("\n", events))
        .as("no secret in the message")
        .doesNotContain(secret.substring(secret.length() - 40, secret.length() - 25));

    Files.writeString(file, secret, StandardCharsets.UTF_8);
    assertThat(ring.reload()).isTrue();
    assertThat(ring.current().keys()).hasSize(2);
  }

  @Test
  void aKeyIdWithAnotherSecret_isRefused() throws Exception {
    Path file = keyFile(TestKeys.single(K1, 1));
    ReloadingKeyRing ring = watch(file, MANUAL);
    KeyRingSources.writeFile(TestKeys.single(K1, 9), file);
    assertThat(ring.reload()).isFalse();
    assertThat(ring.current().material(K1, SecretAccess.insecure())).isEqualTo(key(1));
    assertThat(events).singleElement().asString().contains("key 11111111 has a different secret");
  }

  @Test
  void aMissingFile_isRefused_andTheRingKept() throws Exception {
    Path file = keyFile(TestKeys.single(K1, 1));
    ReloadingKeyRing ring = watch(file, MANUAL);
    Files.delete(file);
    assertThat(ring.reload()).isFalse();
    assertThat(ring.current().activeKey().id()).isEqualTo(K1);
    assertThat(events).singleElement().asString().contains("NoSuchFileException");
  }

  @Test
  void theWatchingThread_holdsPortcullisClassLoader_notTheBuildingThreadsContextLoader()
      throws Exception {
    Path file = keyFile(TestKeys.single(K1, 1));
    Thread builder = Thread.currentThread();
    ClassLoader before = builder.getContextClassLoader();
    AtomicReference<ClassLoader> seen = new AtomicReference<>();
    // A web application's loader, as a container sets it while it starts the application.
    try (URLClassLoader webApp = new URLClassLoader(new URL[0], before)) {
      builder.setContextClassLoader(webApp);
      ReloadingKeyRing ring;
      try {
        ring = watch(file, Duration.ofMillis(20));
      } finally {
        builder.setContextClassLoader(before);
      }
      ring.addListener(new ReloadingKeyRing.Listener() {
        @Override
        public void reloaded(KeyRing previous, KeyRing current) {
          seen.set(Thread.currentThread().getContextClassLoader());
        }

        @Override
        public void refused(String reason) {}
      });
      KeyRingSources.writeFile(TestKeys.single(K1, 1).withNewKey(K2, key(2), CREATED), file);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(seen.get())
          .as("the reload thread's context loader")
          .isSameAs(ReloadingKeyRing.class.getClassLoader())
          .isNotSameAs(webApp);
    }
  }

  @Test
  void theWatchingThread_readsAReplacedFileByItself() throws Exception {
    KeyRing first = TestKeys.single(K1, 1);
    Path file = keyFile(first);
    ReloadingKeyRing ring = watch(file, Duration.ofMillis(20));
    KeyRingSources.writeFile(first.withNewKey(K2, key(2), CREATED), file);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (ring.current().keys().size() != 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ring.current().keys()).hasSize(2);
  }

  @Test
  void aBadFileAtStart_failsAtOnce() throws Exception {
    Path file = dir.resolve("keys.txt");
    Files.writeString(file, "not a key ring");
    assertThatThrownBy(() -> KeyRingSources.watchFile(file))
        .isInstanceOf(InvalidKeyRingException.class)
        .hasMessageContaining("key file " + file);
    assertThatThrownBy(() -> KeyRingSources.watchFile(dir.resolve("absent.txt")))
        .isInstanceOf(InvalidKeyRingException.class);
    assertThatThrownBy(() -> KeyRingSources.watchFile(file, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPkcs12Store_isWatchedToo() throws Exception {
    char[] password = "store-pw".toCharArray();
    Path file = dir.resolve("keys.p12");
    writeStore(file, password, List.of(new int[] {K1, 1}));
    ReloadingKeyRing ring = KeyRingSources.watchPkcs12(file, password, MANUAL);
    open.add(ring);
    java.util.Arrays.fill(password, 'x'); // the caller may wipe its array
    writeStore(file, "store-pw".toCharArray(), List.of(new int[] {K1, 1}, new int[] {K2, 2}));
    assertThat(ring.reload()).isTrue();
    assertThat(ring.current().keys()).extracting(KeyInfo::id).containsExactly(K1, K2);
  }

  private static void writeStore(Path file, char[] password, List<int[]> keys) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, password);
    boolean first = true;
    for (int[] k : keys) {
      store.setEntry(
          KeyInfo.formatId(k[0]) + (first ? ".active" : ".decrypt_only"),
          new KeyStore.SecretKeyEntry(
              new SecretKeySpec(key(k[1]).toByteArray(SecretAccess.insecure()), "AES")),
          new KeyStore.PasswordProtection(password));
      first = false;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      store.store(out, password);
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** A keyed MAC and one fixed message. */
  private record KeyMac(KeyedMac mac) {
    String tag() {
      return mac.tag(new byte[] {7});
    }

    boolean verify(String tag) {
      return mac.verify(new byte[] {7}, tag);
    }
  }
}
