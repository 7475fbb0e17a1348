package dev.portcullis.audit;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * An append-only file of JSON lines of one kind, locked while open. Refuses to open a file that another writer holds,
 * that ends in a partial line (a crash mid-write: someone must look before more is appended), or whose first record is
 * of the other kind (audit and search demand never share a file).
 */
final class LineFile implements Closeable, Flushable {
  private static final int BUFFER = 64 * 1024;

  private final Path path;
  private final FileChannel channel;
  private final FileLock lock;
  private final OutputStream out;
  private final byte[] lastLine;

  private LineFile(Path path, FileChannel channel, FileLock lock, byte[] lastLine) {
    this.path = path;
    this.channel = channel;
    this.lock = lock;
    this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
    this.lastLine = lastLine;
  }

  static LineFile open(Path path, String kind) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel channel =
        FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IOException(path + " is already open for writing by another sink or process");
      }
      byte[] last = checkExisting(path, kind);
      return new LineFile(path, channel, lock, last);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The last complete line of the file as it was when opened (without its newline), or null if it was empty. */
  byte[] lastLineAtOpen() {
    return lastLine == null ? null : lastLine.clone();
  }

  Path path() {
    return path;
  }

  /** Buffers one line; the newline is added here. {@code line} must not contain one. */
  void append(byte[] line) throws IOException {
    out.write(line);
    out.write('\n');
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    try (channel) {
      out.flush();
      channel.force(true);
      lock.release();
    }
  }

  private static byte[] checkExisting(Path path, String kind) throws IOException {
    try (FileChannel read = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = read.size();
      if (size == 0) {
        return null;
      }
      ByteBuffer one = ByteBuffer.allocate(1);
      readFully(read, one, size - 1);
      if (one.get(0) != '\n') {
        throw new IOException(path + " ends in a partial record; check it (and verify a chained file) before appending");
      }
      byte[] prefix = ("{\"kind\":\"" + kind + "\",").getBytes(StandardCharsets.US_ASCII);
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(prefix.length, size));
      readFully(read, head, 0);
      if (!Arrays.equals(Arrays.copyOf(head.array(), head.position()), prefix)) {
        throw new IOException(path + " does not hold " + kind + " records; each kind of event has a file of its own");
      }
      return lastLine(read, size);
    }
  }

  /** Reads backwards from the end to the newline before the last line. */
  private static byte[] lastLine(FileChannel read, long size) throws IOException {
    long end = size - 1; // the final newline
    long start = end;
    ByteBuffer block = ByteBuffer.allocate(8192);
    while (start > 0) {
      long from = Math.max(0, start - block.capacity());
      block.clear().limit((int) (start - from));
      readFully(read, block, from);
      int i = block.position() - 1;
      while (i >= 0 && block.get(i) != '\n') {
        i--;
      }
      if (i >= 0) {
        start = from + i + 1;
        break;
      }
      start = from;
    }
    ByteBuffer line = ByteBuffer.allocate((int) (end - start));
    readFully(read, line, start);
    return line.array();
  }

  private static void readFully(FileChannel read, ByteBuffer into, long position) throws IOException {
    while (into.hasRemaining()) {
      if (read.read(into, position + into.position()) < 0) {
        throw new IOException("file shrank while reading");
      }
    }
  }
}
