package dev.portcullis.crypto;

import dev.portcullis.internal.ConfigurationWarning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, once per start, when a key file or PKCS12 store can be read by the file's group or by others: anyone who can
 * read the keys can forge every cookie. Only a warning, as mounted secrets (a Kubernetes secret volume, a Docker
 * secret) are often {@code 0644} inside a container whose only process is the application; {@code KeyTool} writes
 * files readable by their owner only.
 *
 * <p><b>Security.</b> The warning names the file and its permission string, never a secret. Nothing is said on a file
 * system without POSIX permissions (the directory's access control applies there) or when the permissions cannot be
 * read (reading the file then reports the problem).
 *
 * <p>SLF4J is loaded only when there is something to log: {@code KeyTool} runs from the core jar alone and prints the
 * same warning itself, and without SLF4J on the class path (the audit verifier's command) the warning goes to the
 * standard error.
 */
final class KeyFilePermissions {
  private static final Set<PosixFilePermission> OTHERS_MAY_READ =
      EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

  private KeyFilePermissions() {}

  /** Warns when group or others may read {@code file}, which {@code description} names (for example "key file x"). */
  static void warnIfOthersCanRead(Path file, String description) {
    othersCanRead(file, description).ifPresent(KeyFilePermissions::warn);
  }

  /**
   * Logs {@code warning}, or prints it to the standard error when SLF4J is not on the class path at all: the audit
   * verifier's command reads a key file with the core jar and Bouncy Castle only, and must still say the warning
   * rather than fail on the missing logger.
   */
  private static void warn(String warning) {
    try {
      Log.warn(warning);
    } catch (NoClassDefFoundError e) {
      System.err.println(
          "Portcullis WARNING (" + KeyFilePermissions.class.getName() + "): " + warning);
      System.err.flush();
    }
  }

  /** The warning for {@code file} when its group or others may read it, else empty. */
  static Optional<String> othersCanRead(Path file, String description) {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException | IOException e) {
      return Optional.empty();
    }
    if (permissions.stream().noneMatch(OTHERS_MAY_READ::contains)) {
      return Optional.empty();
    }
    return Optional.of(description
        + " can be read by its group or by others ("
        + PosixFilePermissions.toString(permissions)
        + "): whoever can read the keys can forge every cookie."
        + " Let only the account that runs the application read it (chmod 600).");
  }

  /** The logger, in a class of its own so that it is loaded only when a warning is logged. */
  private static final class Log {
    private static final Logger LOG = LoggerFactory.getLogger(KeyFilePermissions.class);

    private Log() {}

    static void warn(String warning) {
      ConfigurationWarning.say(KeyFilePermissions.class, LOG, warning);
    }
  }
}
