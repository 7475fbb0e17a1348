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
 * may be appending to. Lines are split on LF only and handed back with their exact bytes, without the newline.
 */
final class CountedFile implements Closeable {
  private static final int BLOCK = 64 * 1024;

  private final FileChannel channel;
  private final long size;
  private long bytesRead;

  private CountedFile(FileChannel channel) throws IOException {
    this.channel = channel;
    this.size = channel.size();
  }

  /** Opens {@code path} for reading, or returns null if there is no such file. */
  static CountedFile openIfExists(Path path) throws IOException {
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
   * first, and where the oldest of them starts.
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

  /** The whole lines from {@code from} (the start of a line) to {@code end} (just after a newline), in order. */
  List<byte[]> lines(long from, long end) throws IOException {
    List<byte[]> lines = new ArrayList<>();
    byte[] carry = new byte[0];
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
          byte[] line = Arrays.copyOf(carry, carry.length + i - lineStart);
          System.arraycopy(bytes, lineStart, line, carry.length, i - lineStart);
          lines.add(line);
          carry = new byte[0];
          lineStart = i + 1;
        }
      }
      byte[] rest = Arrays.copyOf(carry, carry.length + n - lineStart);
      System.arraycopy(bytes, lineStart, rest, carry.length, n - lineStart);
      carry = rest;
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
