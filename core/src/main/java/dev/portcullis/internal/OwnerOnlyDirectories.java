package dev.portcullis.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Creates the missing directories above a file Portcullis writes (an audit log, a key file), each one open to its
 * owner only ({@code rwx------}) where the file system has POSIX permissions.
 *
 * <p><b>Security.</b> Without the permissions given at creation a new directory takes them from the process's umask: a
 * permissive one ({@code umask 000}) made it writable by every account on the host, and whoever can write the
 * directory can remove the audit log or put a key file of its own in the place of the real one. The permissions are
 * given when the directory is made, so there is no moment at which it is wider; the umask can only narrow them.
 * Directories that exist already keep the permissions they have, which the operator chose.
 */
public final class OwnerOnlyDirectories {
  private OwnerOnlyDirectories() {}

  /** Creates {@code dir} and its missing parents, each readable, writable and searchable by its owner only. */
  public static void create(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir);
      return;
    }
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }
}
