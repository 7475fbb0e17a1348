package dev.portcullis.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Starts a child process as a real unprivileged account ({@code nobody}, uid and gid 65534, no supplementary groups)
 * through util-linux {@code setpriv}, so that a test sees file permissions the way a service account does: the tests
 * run as root, which reads and writes any file whatever its mode. {@code setpriv} needs no entry in the password file,
 * so nothing has to be created on the machine; it needs root to change account.
 */
public final class AnotherAccount {
  /** The account's user and group id. */
  public static final int ID = 65534;

  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private AnotherAccount() {}

  /**
   * Skips the calling test, printing the reason on the standard error as well, unless {@code setpriv} is installed and
   * the tests run as root.
   */
  public static void assumeAvailable() {
    String missing = null;
    if (!Files.isExecutable(SETPRIV)) {
      missing = SETPRIV + " (util-linux) is not installed";
    } else if (!runningAsRoot()) {
      missing = "the tests do not run as root, so they cannot start a process as another account";
    }
    if (missing != null) {
      System.err.println("Skipped: " + missing + "; the test that reads and writes files as another"
          + " account did not run");
      Assumptions.abort(missing);
    }
  }

  /** The start of a command line that runs the rest as the account. */
  public static List<String> command() {
    return List.of(SETPRIV.toString(), "--reuid=" + ID, "--regid=" + ID, "--clear-groups");
  }

  private static boolean runningAsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }
}
