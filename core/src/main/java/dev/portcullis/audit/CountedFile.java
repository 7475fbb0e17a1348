package dev.portcullis.audit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file read by position, a block at a time, that counts the bytes it reads: the reader of a log another process
 * may be appending to. Lines are split on LF only and handed back with their exact bytes, without the newline. A line
 * longer than {@link AuditChainVerifier#MAX_RECORD} is no line of the sink's: it is handed back as {@link #TOO_LONG},
 * so that an altered file costs no more memory, and reading backwards no more bytes, than a long record.
 */
final class CountedFile implements Closeable {
  private static final int BLOCK = 64 * 1024;

  /**
   * What is handed back for a line longer than {@link AuditChainVerifier#MAX_RECORD}: the same array each time, which
   * is neither a record nor a checkpoint.
   */
  static final byte[] TOO_LONG = ("(a line longer than " + AuditChainVerifier.MAX_RECORD
          + " bytes, not read: no record of the sink's)")
      .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final FileChannel channel;
  private final long size;
  private long bytesRead;

  private CountedFile(FileChannel channel) throws IOException {
    this.channel = channel;
    this.size = channel.size();
  }

  /**
   * Opens {@code path} for reading, or returns null if there is no such file.
   *
   * @throws IOException if it can't be read, or is not a regular file (a named pipe would hold the reader for ever)
   */
  static CountedFile openIfExists(Path path) throws IOException {
    LineFile.refuseToReadUnlessRegular(path);
    try {
      return new CountedFile(FileChannel.open(path, StandardOpenOption.READ));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** The size when opened: what is appended later is not read. */
  long size() {
    return size;
  }

  long bytesRead() {
    return bytesRead;
  }

  /** The position after the last newline before {@code limit}, or 0 if there is none; the bytes read are counted. */
  long afterLastNewline(long limit) throws IOException {
    return LineFile.afterLastNewline(this::read, limit);
  }

  /**
   * Up to {@code count} whole lines that end at or before {@code end} (which must follow a newline or be 0), newest
   * first, and where the oldest of them starts. A line longer than the limit ends the list as {@link #TOO_LONG}, and
   * nothing before it is read; the start is then not a line's.
   */
  Backward linesBefore(long end, int count) throws IOException {
    List<byte[]> lines = new ArrayList<>();
    long lineEnd = end;
    long pos = Math.max(0, end - 1);
    // The bytes from pos to the newline that ends the line being looked at, read but not yet a
    // whole line.
    byte[] pending = new byte[0];
    ByteBuffer block = ByteBuffer.allocate(8192);
    while (lines.size() < count && lineEnd > 0) {
      int newline = -1;
      for (int i = pending.length - 1; i >= 0; i--) {
        if (pending[i] == '\n') {
          newline = i;
          break;
        }
      }
      if (newline >= 0 || pos == 0) {
        lines.add(Arrays.copyOfRange(pending, newline + 1, pending.length));
        lineEnd = pos + newline + 1;
        pending = Arrays.copyOf(pending, Math.max(0, newline));
        continue;
      }
      if (pending.length > AuditChainVerifier.MAX_RECORD) {
        lines.add(TOO_LONG);
        lineEnd = pos;
        break;
      }
      long from = Math.max(0, pos - block.capacity());
      block.clear().limit((int) (pos - from));
      read(block, from);
      byte[] joined = new byte[block.limit() + pending.length];
      block.get(joined, 0, block.limit());
      System.arraycopy(pending, 0, joined, block.limit(), pending.length);
      pending = joined;
      pos = from;
    }
    return new Backward(lines, lineEnd);
  }

  record Backward(List<byte[]> newestFirst, long start) {}

  /**
   * The whole lines from {@code from} (the start of a line) to {@code end} (just after a newline), in order; a line
   * longer than the limit is {@link #TOO_LONG}.
   */
  List<byte[]> lines(long from, long end) throws IOException {
    List<byte[]> lines = new ArrayList<>();
    byte[] carry = new byte[0];
    boolean tooLong = false;
    ByteBuffer block = ByteBuffer.allocate(BLOCK);
    long at = from;
    while (at < end) {
      block.clear().limit((int) Math.min(BLOCK, end - at));
      read(block, at);
      byte[] bytes = block.array();
      int n = block.limit();
      int lineStart = 0;
      for (int i = 0; i < n; i++) {
        if (bytes[i] == '\n') {
          if (tooLong || carry.length + i - lineStart > AuditChainVerifier.MAX_RECORD) {
            lines.add(TOO_LONG);
          } else {
            byte[] line = Arrays.copyOf(carry, carry.length + i - lineStart);
            System.arraycopy(bytes, lineStart, line, carry.length, i - lineStart);
            lines.add(line);
          }
          carry = new byte[0];
          tooLong = false;
          lineStart = i + 1;
        }
      }
      if (tooLong || carry.length + n - lineStart > AuditChainVerifier.MAX_RECORD) {
        tooLong = true;
        carry = new byte[0];
      } else {
        byte[] rest = Arrays.copyOf(carry, carry.length + n - lineStart);
        System.arraycopy(bytes, lineStart, rest, carry.length, n - lineStart);
        carry = rest;
      }
      at += n;
    }
    return lines;
  }

  /** Reads {@code into} full from {@code position}; the bytes are counted. */
  void read(ByteBuffer into, long position) throws IOException {
    int base = into.position();
    while (into.hasRemaining()) {
      int n = channel.read(into, position + into.position() - base);
      if (n < 0) {
        throw new IOException("file shrank while reading");
      }
      bytesRead += n;
    }
    into.flip();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
