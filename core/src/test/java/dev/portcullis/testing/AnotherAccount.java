package dev.portcullis.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

  /**
   * As {@link #assumeAvailable()}, and skips the calling test, saying why, unless the account can enter {@code dir}
   * and run this JVM's {@code java}: a checkout or a JDK under a directory only root may enter (such as {@code
   * /root}) is out of its reach.
   */
  public static void assumeCanRun(Path dir) throws IOException, InterruptedException {
    assumeAvailable();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> probe = new ArrayList<>(command());
    probe.addAll(List.of(
        "/bin/sh",
        "-c",
        "cd \"$1\" && exec \"$2\" -version",
        "sh",
        dir.toString(),
        java.toString()));
    Process process = new ProcessBuilder(probe)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    process.getOutputStream().close();
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    if (process.isAlive() || process.exitValue() != 0) {
      String missing = "uid " + ID + " cannot enter " + dir + " or run " + java
          + " (a directory above one of them is closed to other accounts)";
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
