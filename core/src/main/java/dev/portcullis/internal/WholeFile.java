package dev.portcullis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Reads the whole of a small file that configures Portcullis (a key file, a key store, a certificate file, a settings
 * file), refusing anything but a regular file, and a file larger than the reader's bound, before a byte is read.
 *
 * <p><b>Security.</b> A named pipe would hold the reading thread, a start-up or a key ring's reload, until another
 * process writes to it; a device such as {@code /dev/zero} never ends, and a large file would be read whole into
 * memory. A symbolic link is followed (mounted secrets are links), and what it names must be a regular file. The
 * check and the read are two steps: a file put in the path's place between them is read as far as the bound, and a
 * pipe put there then still holds the read, so the directory must be one that only the operator writes to (as it must
 * anyway for a key file).
 *
 * <p>A file that others may write (POSIX {@code o+w}, such as {@code rw-rw-rw-}) is refused as well: every account on
 * the host could replace the keys, the settings or the trusted certificates with its own. Read access for others is
 * no reason to refuse (mounted secrets are often {@code 0644} or {@code 0444}), and neither is write access for the
 * file's group, which is granted to a named group on purpose (a volume shared with the pod's group, for one).
 */
public final class WholeFile {
  private WholeFile() {}

  /**
   * A file refused for what it is (not a regular file) or its size; the message names the file, what was found and
   * the bound, and holds nothing of the file's content.
   */
  public static final class RefusedFileException extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedFileException(String message) {
      super(message);
    }
  }

  /**
   * The bytes of {@code file}, following links.
   *
   * @param maxBytes the largest file accepted
   * @param what the file's description in a refusal, such as {@code "key file /etc/portal/keys"}
   * @throws RefusedFileException if {@code file} is not a regular file, others may write it, or it is larger than
   *     {@code maxBytes}
   * @throws IOException if it cannot be read ({@link java.nio.file.NoSuchFileException} if it is not there)
   */
  public static byte[] read(Path file, int maxBytes, String what) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (!attributes.isRegularFile()) {
      throw new RefusedFileException(what + " is not a regular file (" + kindOf(attributes)
          + "): Portcullis reads it only from a regular file");
    }
    refuseIfOthersMayWrite(file, what);
    if (attributes.size() > maxBytes) {
      throw new RefusedFileException(tooLarge(what, attributes.size() + " bytes", maxBytes));
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(maxBytes + 1);
      if (bytes.length > maxBytes) {
        java.util.Arrays.fill(bytes, (byte) 0);
        throw new RefusedFileException(
            tooLarge(what, "more than " + maxBytes + " bytes", maxBytes));
      }
      return bytes;
    }
  }

  /**
   * Refuses {@code file} (following links) when its POSIX permissions let others write it. Nothing is checked where
   * the file system has no POSIX permissions (the directory's access control applies there).
   *
   * @throws RefusedFileException naming the file, its permissions and the command that puts them right
   */
  private static void refuseIfOthersMayWrite(Path file, String what) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return;
    }
    if (permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new RefusedFileException(what + " can be written by others ("
          + PosixFilePermissions.toString(permissions)
          + "): any account on the host could replace what it holds, so Portcullis does not read it."
          + " Let only its owner (and group) write it: chmod o-w " + file);
    }
  }

  /**
   * What a path that is not a regular file holds, for a message: {@code "a directory"}, {@code "a symbolic link"}
   * (only for attributes read without following links) or {@code "a named pipe, a device or a socket"}.
   */
  public static String kindOf(BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    if (attributes.isSymbolicLink()) {
      return "a symbolic link";
    }
    return "a named pipe, a device or a socket";
  }

  private static String tooLarge(String what, String size, int maxBytes) {
    return what + " is too large (" + size + "; at most " + maxBytes
        + " bytes are read): it is not the file Portcullis expects there";
  }
}
