package dev.portcullis.crypto;

import dev.portcullis.internal.OwnerOnlyDirectories;
import dev.portcullis.internal.WholeFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Collections;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.SecretKey;

/**
 * Where a {@link KeyRing} comes from: an environment variable, a key file, or a PKCS12 key store. Every loader fails
 * with {@link InvalidKeyRingException} and a message naming the source and the problem; there is no default key.
 *
 * <p>Key files and the variable hold the text form described in {@link #fromFile}. In a PKCS12 store each AES secret
 * key entry is one key: its alias is {@code <8 hex id>.<status>} (for example {@code 0a1b2c3d.active}) and its
 * creation date is the key's creation time, so {@code keytool -genseckey -keyalg AES -keysize 256 -storetype PKCS12
 * -alias 0a1b2c3d.active ...} makes one.
 */
public final class KeyRingSources {
  /** The environment variable read by {@link #fromEnvironment(Map)}. */
  public static final String ENV_VARIABLE = "PORTCULLIS_KEY_RING";

  /**
   * The largest key file or PKCS12 key store read: thousands of keys. Anything larger, and anything but a regular file
   * (a named pipe, a device), is refused before it is read ({@link WholeFile}).
   */
  public static final int MAX_FILE_BYTES = 1024 * 1024;

  private KeyRingSources() {}

  /** Reads {@link #ENV_VARIABLE} from {@code env} (pass {@code System.getenv()}). */
  public static KeyRing fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, ENV_VARIABLE);
  }

  public static KeyRing fromEnvironment(Map<String, String> env, String variable) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      throw new InvalidKeyRingException("environment variable " + variable
          + " is not set; Portcullis has no default key. Its value is the line that"
          + " 'java -cp portcullis-core.jar dev.portcullis.crypto.KeyTool env FILE' prints for a key file"
          + " made with 'KeyTool create FILE'");
    }
    if (value.strip().chars().noneMatch(Character::isWhitespace)) {
      // A ring always has spaces ("key <id> <status> ..."); a file's path or a bare secret has
      // none.
      throw new InvalidKeyRingException("environment variable " + variable
          + " holds no key ring: its value has no spaces, as a file's path or a bare secret has. It must hold"
          + " the ring itself, the line that 'KeyTool env FILE' prints; to read a key file, name the file"
          + " instead (KeyRingSources.fromFile, portcullis.keys.file)");
    }
    return KeyRingText.parse(value, "environment variable " + variable);
  }

  /**
   * Reads a key file:
   *
   * <pre>
   * portcullis-keyring 1
   * key 0a1b2c3d ACTIVE 2026-01-01T00:00:00Z &lt;base64url secret of 32 bytes or more&gt;
   * </pre>
   *
   * One {@code key} line per key; blank lines and {@code #} comments are ignored.
   */
  public static KeyRing fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    KeyFilePermissions.warnIfOthersCanRead(file, "key file " + file);
    return readFile(file);
  }

  /** As {@link #fromFile}, without the permission check (which {@code KeyTool} makes and reports itself). */
  static KeyRing readFile(Path file) {
    String text;
    try {
      text = new String(readBounded(file, "key file " + file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw unreadable("key file " + file, file, e);
    }
    return KeyRingText.parse(text, "key file " + file);
  }

  /**
   * The refusal of a key file or store that cannot be read. A missing one, or one the process may not read, is named
   * with its absolute path (a relative path is resolved against a working directory the reader may not know), a
   * missing key file with the command that makes one.
   */
  static InvalidKeyRingException unreadable(String description, Path file, IOException e) {
    if (e instanceof WholeFile.RefusedFileException) {
      // Names the file, what is there and the bound; none of its content.
      return new InvalidKeyRingException("cannot read " + description + ": " + e.getMessage(), e);
    }
    if (e instanceof AccessDeniedException) {
      // The JDK's message is the path alone; say what is wrong and what to change.
      return new InvalidKeyRingException(
          "cannot read " + description + ": permission denied (" + file.toAbsolutePath()
              + "): the account that runs the application may not read it. Let that account, and no"
              + " other, read it (chown the file to that account and chmod 600)",
          e);
    }
    if (!(e instanceof NoSuchFileException)) {
      return new InvalidKeyRingException(
          "cannot read " + description + ": " + e.getClass().getSimpleName(), e);
    }
    return new InvalidKeyRingException(
        "cannot read " + description + ": there is no such file ("
            + file.toAbsolutePath() + ")"
            + (description.startsWith("key file ")
                ? "; create one with 'java -cp portcullis-core.jar dev.portcullis.crypto.KeyTool create "
                    + file + "'. Portcullis has no default key"
                : ""),
        e);
  }

  /**
   * The bytes of a key file or key store of at most {@link #MAX_FILE_BYTES}, from a regular file only.
   *
   * @throws WholeFile.RefusedFileException for anything else
   */
  static byte[] readBounded(Path file, String description) throws IOException {
    return WholeFile.read(file, MAX_FILE_BYTES, description);
  }

  /**
   * Writes {@code ring} to {@code file} atomically, readable by the owner only where the file system allows; missing
   * directories above it are created open to their owner only ({@link OwnerOnlyDirectories}).
   */
  public static void writeFile(KeyRing ring, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    OwnerOnlyDirectories.create(dir);
    Path tmp = Files.createTempFile(dir, ".keyring", ".tmp");
    try {
      restrictToOwner(tmp);
      Files.writeString(tmp, KeyRingText.format(ring), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Creates a new key file holding {@code ring}; fails if the file exists. */
  public static void createFile(KeyRing ring, Path file) throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(file.toString());
    }
    writeFile(ring, file);
  }

  /** Reads AES secret-key entries of a PKCS12 key store; see the class description for aliases. */
  public static KeyRing fromPkcs12(Path file, char[] password) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(password, "password");
    KeyFilePermissions.warnIfOthersCanRead(file, "PKCS12 key store " + file);
    byte[] bytes;
    try {
      bytes = readBounded(file, "PKCS12 key store " + file);
    } catch (IOException e) {
      throw unreadable("PKCS12 key store " + file, file, e);
    }
    return parsePkcs12(bytes, password, "PKCS12 key store " + file);
  }

  /**
   * The key file's ring, read again every {@link ReloadingKeyRing#DEFAULT_INTERVAL} and whenever {@link
   * ReloadingKeyRing#reload()} is called; see {@link ReloadingKeyRing}. Close it to stop reading.
   *
   * @throws InvalidKeyRingException if the file cannot be read now or does not hold a valid ring
   */
  public static ReloadingKeyRing watchFile(Path file) {
    return watchFile(file, ReloadingKeyRing.DEFAULT_INTERVAL);
  }

  /** As {@link #watchFile(Path)}, reading the file every {@code interval}. */
  public static ReloadingKeyRing watchFile(Path file, Duration interval) {
    Objects.requireNonNull(file, "file");
    String source = "key file " + file;
    return new ReloadingKeyRing(
        file,
        source,
        bytes -> KeyRingText.parse(new String(bytes, StandardCharsets.UTF_8), source),
        interval);
  }

  /**
   * The PKCS12 key store's ring, read again every {@code interval}; see {@link ReloadingKeyRing}. The password is
   * copied and kept for the reads.
   *
   * @throws InvalidKeyRingException if the store cannot be read now or does not hold a valid ring
   */
  public static ReloadingKeyRing watchPkcs12(Path file, char[] password, Duration interval) {
    Objects.requireNonNull(file, "file");
    char[] kept = Objects.requireNonNull(password, "password").clone();
    String source = "PKCS12 key store " + file;
    return new ReloadingKeyRing(file, source, bytes -> parsePkcs12(bytes, kept, source), interval);
  }

  private static KeyRing parsePkcs12(byte[] bytes, char[] password, String source) {
    KeyStore store;
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidKeyRingException(
          "cannot open " + source + " (wrong password or not PKCS12): "
              + e.getClass().getSimpleName(),
          e);
    }
    KeyRing.Builder builder = KeyRing.builder();
    boolean any = false;
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (!store.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
          continue;
        }
        String[] parts = alias.toLowerCase(Locale.ROOT).split("\\.", -1);
        if (parts.length != 2) {
          throw new InvalidKeyRingException(
              source + ": alias '" + alias + "' is not '<8 hex id>.<status>'");
        }
        int id = KeyInfo.parseId(parts[0]);
        KeyStatus status;
        try {
          status = KeyStatus.valueOf(parts[1].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new InvalidKeyRingException(
              source + ": alias '" + alias + "' has an unknown status");
        }
        KeyStore.Entry entry = store.getEntry(alias, new KeyStore.PasswordProtection(password));
        SecretKey key = ((KeyStore.SecretKeyEntry) entry).getSecretKey();
        byte[] secret = key.getEncoded();
        if (secret == null || secret.length < KeyMaterial.MIN_LENGTH) {
          throw new InvalidKeyRingException(
              source + ": key " + alias + " is shorter than " + KeyMaterial.MIN_LENGTH + " bytes");
        }
        Date created = store.getCreationDate(alias);
        builder.add(id, status, created.toInstant(), KeyMaterial.copyOf(secret));
        java.util.Arrays.fill(secret, (byte) 0);
        any = true;
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyRingException(
          "cannot read " + source + ": " + e.getClass().getSimpleName(), e);
    }
    if (!any) {
      throw new InvalidKeyRingException(source + ": no secret-key entries found");
    }
    try {
      return builder.build();
    } catch (InvalidKeyRingException e) {
      throw new InvalidKeyRingException(source + ": " + e.getMessage());
    }
  }

  private static void restrictToOwner(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory's access control applies.
    }
  }
}
