package dev.portcullis.audit;

import dev.portcullis.internal.OwnerOnlyDirectories;
import dev.portcullis.internal.WholeFile;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of JSON lines of one kind, locked while open, that holds whole lines only.
 *
 * <p><b>Writes.</b> {@link #append} collects lines in memory; {@link #flush()} (or a full buffer) writes them with
 * positional writes at the end of the last whole line. A write that fails part-way (a full disk, an I/O error) is cut
 * back to the end of the last whole line before the exception reaches the caller, and the unwritten lines stay
 * collected for the next attempt: after a failure the file is as it was before the write, and a retry writes the same
 * bytes. If even the cut fails, the next write starts at the same place, overwrites what the failed one left and cuts
 * the file after itself.
 *
 * <p><b>Opening.</b> Refuses a file that another writer holds, or whose first record is of the other kind (audit and
 * search demand never share a file). The writer holds a lock on a file of its own beside the log ({@code
 * audit.jsonl.lock} for {@code audit.jsonl}), never on the log: a POSIX lock belongs to the process and goes when the
 * process closes any descriptor of the locked file, so a lock on the log itself went as soon as anything in the same
 * process read the log (this class's own check of the existing lines did), and a second process could then append to
 * the same hash chain. Nothing but this class opens the lock file, and a second writer in the same process is refused
 * before it opens it ({@link #HELD}). The lock file is left in place when the writer closes: deleting it could let
 * two writers each lock a different file of the same name.
 *
 * <p>A file that ends in a partial line (the process died mid-write) is opened with {@link #tornTailAtOpen()} set;
 * {@link #open(Path, String)} refuses it, so that someone looks before more is appended, and the hash-chained sink
 * repairs it with {@link #replaceTornTail(byte[])}.
 */
final class LineFile implements Closeable, Flushable {
  /** How many bytes of lines are collected before they are written without waiting for a flush. */
  static final int BUFFER = 64 * 1024;
  /**
   * The longest partial line a crash of this writer can leave: one buffer plus a line longer than the buffer would be
   * larger, but no event comes near that. A longer unterminated tail is not a torn write of ours.
   */
  static final int MAX_TORN_TAIL = 2 * BUFFER;

  /** Opens the channel the lines are written through; a test seam for failing disks. */
  @FunctionalInterface
  interface Opener {
    Opener FILE = LineFile::openOwnerOnly;

    FileChannel open(Path path) throws IOException;

    /** Forces to disk the directory entry of {@code file}, which {@link #open} has just created. */
    default void forceDirectoryOf(Path file) throws IOException {
      forceDirectory(file);
    }
  }

  /** Read and write for the owner only, for a file this class creates. */
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /**
   * Opens {@code path} for writing; a file it creates is readable by its owner only where the file system has POSIX
   * permissions (audit records name users, their organisations, their addresses and what they looked at). An existing
   * file keeps the permissions it has, which an operator may have widened for a log shipper on purpose. A symbolic link
   * or anything but a regular file in its place is refused ({@link #refuseUnlessOwnFile}).
   */
  static FileChannel openOwnerOnly(Path path) throws IOException {
    refuseUnlessOwnFile(path);
    Set<OpenOption> options =
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return FileChannel.open(path, options);
    }
    // Applied only when the call creates the file.
    return FileChannel.open(path, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
  }

  /**
   * Appends {@code bytes} to {@code path}, creating it readable by its owner only (as {@link #openOwnerOnly}), and
   * forces them to disk. Refuses what {@link #openOwnerOnly} refuses.
   */
  static void appendOwnerOnly(Path path, byte[] bytes) throws IOException {
    try (FileChannel channel = openOwnerOnly(path)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      long at = channel.size();
      while (buffer.hasRemaining()) {
        at += channel.write(buffer, at);
      }
      channel.force(true);
    }
  }

  /**
   * Refuses to write through {@code path} unless it is absent or a regular file. A symbolic link is not followed: a
   * writer of the log's directory could point it at another file, which the sink would then append to (the lines
   * of a torn tail are whatever the log held). A named pipe would hold the open until another process opens its other
   * end, so the start-up would wait for ever; a device or a directory holds no lines. The open itself does not follow
   * a link either, so a link put in the file's place after this check is refused by the open.
   *
   * @throws IOException naming the file and what is in its place
   */
  static void refuseUnlessOwnFile(Path path) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (attributes.isSymbolicLink()) {
      throw new IOException(
          path + " is a symbolic link: the audit sink writes only to a regular file of its own,"
              + " never through a link (it could point at another file). Put the file itself there, or name the"
              + " file the link points to");
    }
    if (!attributes.isRegularFile()) {
      throw new IOException(path + " is not a regular file (" + WholeFile.kindOf(attributes)
          + "): the audit sink writes only to a regular file of its own");
    }
  }

  /**
   * Refuses to read {@code path}, following links, unless it is absent or a regular file: a named pipe would hold
   * the reader until another process writes to it, a device may never end.
   *
   * @throws IOException naming the file and what is in its place
   */
  static void refuseToReadUnlessRegular(Path path) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return;
    }
    if (!attributes.isRegularFile()) {
      throw new IOException(path + " is not a regular file (" + WholeFile.kindOf(attributes)
          + "): nothing to verify");
    }
  }

  /**
   * The lock files this process holds, by real path. A second writer in the same process must be refused without
   * opening the lock file at all: closing its own descriptor after the refusal would release the first writer's lock.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path path;
  private final FileChannel channel;
  private final WriterLock lock;
  private final byte[] lastLine;
  /**
   * The identity of the file opened ({@link BasicFileAttributes#fileKey()}, the device and inode on POSIX), or null
   * where the file system has none.
   */
  private final Object fileKey;
  /** Whether the ERROR line on a removed or replaced file was written: once per file opened. */
  private boolean reportedGone;

  private byte[] tornTail;
  /** The length of the whole lines written: where the next write starts. */
  private long end;

  private byte[] pending = new byte[8192];
  private int pendingLength;
  /** How many lines {@link #pending} holds. */
  private volatile int pendingLines; // written by the appending thread only
  /** A failed write could not be cut back: the file may hold bytes after {@link #end}. */
  private boolean uncut;

  private LineFile(
      Path path, FileChannel channel, WriterLock lock, Existing existing, Object fileKey) {
    this.path = path;
    this.fileKey = fileKey;
    this.channel = channel;
    this.lock = lock;
    this.lastLine = existing.lastLine();
    this.tornTail = existing.tornTail();
    this.end = existing.wholeLength();
  }

  /**
   * Opens {@code path} for appending lines of {@code kind}.
   *
   * @throws IOException if the file can't be opened, is locked by another writer, holds the other kind of records or
   *     ends in a partial line
   */
  static LineFile open(Path path, String kind) throws IOException {
    LineFile file = open(path, kind, Opener.FILE);
    if (file.tornTail != null) {
      try {
        file.channel.close();
      } finally {
        file.lock.release();
      }
      throw new IOException(path
          + " ends in a partial record; check it (and verify a chained file) before appending");
    }
    return file;
  }

  /**
   * Opens {@code path} through {@code opener}, accepting a partial last line (see {@link #tornTailAtOpen()}).
   *
   * @throws IOException if the file can't be opened, is locked by another writer, holds the other kind of records,
   *     ends in an unterminated tail longer than {@link #MAX_TORN_TAIL}, or it or its lock file is a symbolic link or
   *     not a regular file ({@link #refuseUnlessOwnFile})
   */
  static LineFile open(Path path, String kind, Opener opener) throws IOException {
    try {
      return openChecked(path, kind, opener);
    } catch (AccessDeniedException e) {
      throw permissionDenied(e);
    }
  }

  /**
   * The refusal of a file or directory the process may not create, open or write, saying so: the JDK's exception
   * names the file alone, which in a start-up failure reads like any other problem with it.
   */
  private static AccessDeniedException permissionDenied(AccessDeniedException e) {
    String file = e.getFile();
    Path denied = file == null ? null : Path.of(file).toAbsolutePath();
    AccessDeniedException clear = new AccessDeniedException(
        file,
        e.getOtherFile(),
        "permission denied: the account that runs the application may not create or write it"
            + (denied == null || denied.getParent() == null
                ? ""
                : "; let that account write " + denied + " and its directory "
                    + denied.getParent()));
    clear.initCause(e);
    return clear;
  }

  private static LineFile openChecked(Path path, String kind, Opener opener) throws IOException {
    refuseUnlessOwnFile(path);
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      OwnerOnlyDirectories.create(parent);
    }
    WriterLock lock = WriterLock.acquire(path);
    try {
      boolean created = Files.notExists(path);
      FileChannel channel = opener.open(path);
      try {
        if (created) {
          opener.forceDirectoryOf(path);
        }
        // Taken after the open, which follows no link and creates the file if need be.
        Object fileKey = fileKeyOf(path);
        return new LineFile(path, channel, lock, checkExisting(path, kind), fileKey);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      lock.release();
      throw e;
    }
  }

  /** The lock file of one writer: {@code <log file name>.lock} beside the log, locked while the writer is open. */
  private static final class WriterLock {
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private WriterLock(Path key, FileChannel channel, FileLock lock) {
      this.key = key;
      this.channel = channel;
      this.lock = lock;
    }

    static WriterLock acquire(Path log) throws IOException {
      Path file = log.resolveSibling(log.getFileName() + ".lock");
      Path key = realPath(file);
      if (!HELD.add(key)) {
        throw refused(log);
      }
      try {
        FileChannel channel = openOwnerOnly(file);
        try {
          FileLock lock;
          try {
            lock = channel.tryLock();
          } catch (OverlappingFileLockException e) {
            lock = null;
          }
          if (lock == null) {
            throw refused(log);
          }
          return new WriterLock(key, channel, lock);
        } catch (IOException | RuntimeException e) {
          channel.close();
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        HELD.remove(key);
        throw e;
      }
    }

    /** The lock file's path with links resolved, found without opening it (opening and closing would unlock it). */
    private static Path realPath(Path file) throws IOException {
      if (Files.exists(file)) {
        return file.toRealPath();
      }
      Path parent = file.toAbsolutePath().getParent();
      return parent == null
          ? file.toAbsolutePath()
          : parent.toRealPath().resolve(file.getFileName());
    }

    private static IOException refused(Path log) {
      return new IOException(log + " is already open for writing by another sink or process");
    }

    void release() throws IOException {
      try (channel) {
        lock.release();
      } finally {
        HELD.remove(key);
      }
    }
  }

  private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

  /**
   * Forces the directory entry of {@code file}, just created, to disk: without it a lost machine can lose the new file
   * whatever was forced into it. Windows cannot open a directory as a channel (nor needs to): there the failure to open
   * one is ignored; anywhere else it is thrown.
   */
  static void forceDirectory(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null) {
      return;
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException e) {
      if (WINDOWS) {
        return;
      }
      throw e;
    }
    try (channel) {
      channel.force(true);
    }
  }

  /**
   * Cuts every line off and forces the file to disk: for a checkpoint file whose one checkpoint names a record that was
   * never written.
   *
   * @throws IllegalStateException if lines were appended since the file was opened
   */
  void discardLines() throws IOException {
    if (pendingLength > 0) {
      throw new IllegalStateException("lines were appended since the file was opened");
    }
    channel.truncate(0);
    channel.force(true);
    end = 0;
    tornTail = null;
  }

  /** The last complete line of the file as it was when opened (without its newline), or null if it had none. */
  byte[] lastLineAtOpen() {
    return lastLine == null ? null : lastLine.clone();
  }

  /** The bytes after the file's last newline when it was opened (a torn write), or null if it ended in a newline. */
  byte[] tornTailAtOpen() {
    return tornTail == null ? null : tornTail.clone();
  }

  Path path() {
    return path;
  }

  /**
   * Writes {@code line} and a newline in place of the torn tail, cuts the file after it and forces it to disk. Not cut
   * back on failure: the file then still ends in a partial line (what is left of the torn tail or of {@code line}),
   * which the next open finds again.
   *
   * @throws IllegalStateException if the file had no torn tail or lines were appended since it was opened
   */
  void replaceTornTail(byte[] line) throws IOException {
    if (tornTail == null || pendingLength > 0) {
      throw new IllegalStateException("no torn tail to replace");
    }
    ByteBuffer bytes =
        ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
    long at = end;
    while (bytes.hasRemaining()) {
      at += channel.write(bytes, at);
    }
    channel.truncate(at);
    channel.force(true);
    end = at;
    tornTail = null;
  }

  /**
   * Cuts the torn tail off without keeping it and forces the file to disk: for a file whose lines can be made again
   * (the checkpoints of a chained log), not for the log itself.
   *
   * @throws IllegalStateException if the file had no torn tail or lines were appended since it was opened
   */
  void cutTornTail() throws IOException {
    if (tornTail == null || pendingLength > 0) {
      throw new IllegalStateException("no torn tail to cut");
    }
    channel.truncate(end);
    channel.force(true);
    tornTail = null;
  }

  /** The length of the file's whole lines once the collected ones are written: where the next line will start. */
  long length() {
    return end + pendingLength;
  }

  /** Writes the collected lines and forces the file's content to disk. */
  void force() throws IOException {
    writePending();
    refuseIfNoLongerThere();
    channel.force(false);
  }

  /**
   * Collects one line; the newline is added here. {@code line} must not contain one.
   *
   * @throws IOException if lines collected earlier had to be written to make room and that failed; {@code line} is
   *     then not taken, and the earlier lines are kept for the next attempt
   */
  void append(byte[] line) throws IOException {
    if (pendingLength > 0 && pendingLength + line.length + 1 > BUFFER) {
      writePending();
    }
    int needed = pendingLength + line.length + 1;
    if (needed > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(needed, Math.min(2 * pending.length, BUFFER)));
    }
    System.arraycopy(line, 0, pending, pendingLength, line.length);
    pending[needed - 1] = '\n';
    pendingLength = needed;
    int lines = pendingLines;
    pendingLines = lines + 1;
  }

  /**
   * How many lines were collected and not yet written: those a {@link #close()} that fails loses. Read by the thread
   * that appends, and by an {@link AuditLog#close()} that gave up waiting for it.
   */
  int unwrittenLines() {
    return pendingLines;
  }

  /** Writes the collected lines; on failure the file is cut back and the lines are kept (see the class comment). */
  @Override
  public void flush() throws IOException {
    writePending();
  }

  /** Writes the collected lines, forces the file to disk and releases it; lines that can't be written are lost. */
  @Override
  public void close() throws IOException {
    try {
      try (channel) {
        writePending();
        channel.force(true);
      }
    } finally {
      lock.release();
    }
  }

  private void writePending() throws IOException {
    if (pendingLength == 0 && !uncut) {
      return;
    }
    refuseIfNoLongerThere();
    ByteBuffer bytes = ByteBuffer.wrap(pending, 0, pendingLength);
    long at = end;
    try {
      while (bytes.hasRemaining()) {
        at += channel.write(bytes, at);
      }
      if (uncut) {
        channel.truncate(at);
        uncut = false;
      }
    } catch (IOException | RuntimeException e) {
      cutBack();
      throw e;
    }
    end = at;
    pendingLength = 0;
    pendingLines = 0;
    if (pending.length > BUFFER) {
      pending = new byte[BUFFER]; // one long line grew it: give the memory back
    }
  }

  /**
   * Refuses to write once the file of this name is no longer the one opened: removed, or replaced by another file
   * (moved aside, or a new file put in its place). The writes would still go to the file opened, which nobody reads
   * under this name, or which is gone with the last descriptor: events lost without a word. So the sink fails, as on a
   * full disk, and the events stay collected; nothing is written until the application is restarted on a log
   * checked and put right.
   */
  private void refuseIfNoLongerThere() throws IOException {
    if (fileKey == null) {
      return;
    }
    Object now = fileKeyOf(path);
    if (!fileKey.equals(now)) {
      IOException gone = new IOException(path
          + (now == null ? " was removed" : " was replaced by another file")
          + " while it was open for writing: what is written would not reach the file of that name."
          + " Nothing more is written to it; check the log and its checkpoints with AuditChainVerifier, and"
          + " restart the application on a log that is in its place");
      if (!reportedGone) {
        reportedGone = true;
        Log.LOG.error(gone.getMessage());
      }
      throw gone;
    }
  }

  /** The file key of {@code path}, not following a link, or null if there is no such file or no file key. */
  private static Object fileKeyOf(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static final class Log {
    private static final Logger LOG = LoggerFactory.getLogger(AuditSink.class);

    private Log() {}
  }

  private void cutBack() {
    try {
      channel.truncate(end);
      uncut = false;
    } catch (IOException | RuntimeException e) {
      uncut = true;
    }
  }

  private record Existing(long wholeLength, byte[] lastLine, byte[] tornTail) {}

  private static Existing checkExisting(Path path, String kind) throws IOException {
    try (FileChannel read = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = read.size();
      if (size == 0) {
        return new Existing(0, null, null);
      }
      byte[] prefix = ("{\"kind\":\"" + kind + "\",").getBytes(StandardCharsets.US_ASCII);
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(prefix.length, size));
      readFully(read, head, 0);
      // A file shorter than the prefix can only be a torn first record: it must be a start of the
      // prefix.
      if (!Arrays.equals(head.array(), Arrays.copyOf(prefix, head.capacity()))) {
        throw new IOException(
            path + " does not hold " + kind + " records; each kind of event has a file of its own");
      }
      long whole = afterLastNewline(read, size);
      if (size - whole > MAX_TORN_TAIL) {
        throw new IOException(path + " ends in " + (size - whole)
            + " bytes without a newline, more than a torn write "
            + "leaves; check it before appending");
      }
      byte[] torn = null;
      if (whole < size) {
        ByteBuffer tail = ByteBuffer.allocate((int) (size - whole));
        readFully(read, tail, whole);
        torn = tail.array();
      }
      byte[] last = null;
      if (whole > 0) {
        long start = afterLastNewline(read, whole - 1);
        ByteBuffer line = ByteBuffer.allocate((int) (whole - 1 - start));
        readFully(read, line, start);
        last = line.array();
      }
      return new Existing(whole, last, torn);
    }
  }

  private static long afterLastNewline(FileChannel read, long limit) throws IOException {
    return afterLastNewline((into, position) -> readFully(read, into, position), limit);
  }

  /** Reads a file's bytes by position, for {@link #afterLastNewline(FullRead, long)}. */
  @FunctionalInterface
  interface FullRead {
    /**
     * Fills {@code into}, from its position to its limit, with the file's bytes from {@code position} on; leaves its
     * position and limit as it likes.
     *
     * @throws IOException if the file ends first, or reading fails
     */
    void read(ByteBuffer into, long position) throws IOException;
  }

  /**
   * The position after the last newline before {@code limit}, or 0 if there is none, read backwards through {@code
   * read} a block at a time.
   */
  static long afterLastNewline(FullRead read, long limit) throws IOException {
    long start = limit;
    ByteBuffer block = ByteBuffer.allocate(8192);
    while (start > 0) {
      long from = Math.max(0, start - block.capacity());
      int length = (int) (start - from);
      block.clear().limit(length);
      read.read(block, from);
      for (int i = length - 1; i >= 0; i--) {
        if (block.get(i) == '\n') {
          return from + i + 1;
        }
      }
      start = from;
    }
    return 0;
  }

  private static void readFully(FileChannel read, ByteBuffer into, long position)
      throws IOException {
    int base = into.position();
    while (into.hasRemaining()) {
      if (read.read(into, position + into.position() - base) < 0) {
        throw new IOException("file shrank while reading");
      }
    }
  }
}
