package dev.portcullis.servlet.autoconfig;

import dev.portcullis.testing.AnotherAccount;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The deployment of {@link WarNode} in a JVM of its own that runs as another, unprivileged account ({@link
 * AnotherAccount}), to see the start-up meet the file permissions a service account meets. {@link #main} deploys with
 * the {@code PORTCULLIS_*} variables of its environment and prints {@code started}, or {@code failure: } and each
 * cause of the failed start on a line of its own.
 */
final class DeploymentAsAnotherAccount {
  private DeploymentAsAnotherAccount() {}

  /** What the child printed on its standard output, and its exit status (0 started, 1 refused). */
  record Outcome(int status, String out, String err) {}

  public static void main(String[] args) {
    Map<String, String> environment = new HashMap<>();
    System.getenv().forEach((name, value) -> {
      if (name.startsWith("PORTCULLIS_")) {
        environment.put(name, value);
      }
    });
    int status;
    try (WarNode node = WarNode.start(environment)) {
      System.out.println("started");
      status = 0;
    } catch (Throwable failure) {
      for (Throwable t = failure; t != null; t = t.getCause()) {
        System.out.println("failure: " + t);
      }
      status = 1;
    }
    System.out.flush();
    System.exit(status);
  }

  /**
   * Deploys as the other account with {@code environment}, from a copy of this JVM's class path in {@code dir} (the
   * build's own may sit under a directory only root may enter). {@code dir} is opened for others to enter, not to
   * list or write. Skips the calling test, saying why, where no other account can be used.
   */
  static Outcome deploy(Path dir, Map<String, String> environment) throws Exception {
    AnotherAccount.assumeAvailable();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    AnotherAccount.assumeCanRun(dir);
    String classPath = readableCopyOfTheClassPath(dir.resolve("class-path"));
    List<String> command = new ArrayList<>(AnotherAccount.command());
    command.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        classPath,
        DeploymentAsAnotherAccount.class.getName()));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("PORTCULLIS_"));
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the deployment as another account did not end");
    }
    return new Outcome(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String readableCopyOfTheClassPath(Path into) throws IOException {
    Files.createDirectories(into);
    Files.setPosixFilePermissions(into, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> copies = new ArrayList<>();
    int n = 0;
    for (Path entry : classPath()) {
      if (!Files.exists(entry)) {
        continue;
      }
      Path copy = into.resolve(n++ + "-" + entry.getFileName());
      copyReadable(entry, copy);
      copies.add(copy.toString());
    }
    return String.join(File.pathSeparator, copies);
  }

  /** The entries of this JVM's class path, those listed by Surefire's manifest-only booter jar in its place. */
  private static Set<Path> classPath() throws IOException {
    Set<Path> entries = new LinkedHashSet<>();
    for (String element : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (element.isEmpty()) {
        continue;
      }
      Path entry = Path.of(element).toAbsolutePath();
      if (!entry.getFileName().toString().startsWith("surefirebooter")) {
        entries.add(entry);
        continue;
      }
      if (Files.isRegularFile(entry)) {
        try (JarFile jar = new JarFile(entry.toFile())) {
          Manifest manifest = jar.getManifest();
          String listed =
              manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
          if (listed != null) {
            URI base = entry.getParent().toUri();
            for (String item : listed.trim().split("\\s+")) {
              entries.add(Path.of(base.resolve(item)));
            }
          }
        }
      }
    }
    return entries;
  }

  private static void copyReadable(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      Files.copy(from, to);
      Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
      return;
    }
    try (var paths = Files.walk(from)) {
      for (Path source : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(source, target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }
}
