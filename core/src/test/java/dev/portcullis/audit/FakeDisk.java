package dev.portcullis.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A disk for one sink's file that fills up on demand: the file is real, the space is not. After {@link #fill(long)}
 * the file may grow by that many bytes and no further: a write that crosses the line writes what fits and reports
 * {@code No space left on device} on its next call, as a full file system does. {@link #free()} ends it. Cutting the
 * file ({@code truncate}) always works, as it does on a full disk. Thread-safe.
 *
 * <pre>{@code
 * FakeDisk disk = new FakeDisk();
 * AuditSink sink = disk.hashChained(dir.resolve("audit.jsonl"));
 * disk.fill(100);     // 100 more bytes fit, then every write fails
 * disk.free();        // writes work again
 * }</pre>
 *
 * <p>Lives in core's test-jar, in the audit package, because the sinks' channel seam is package-private.
 */
public final class FakeDisk {
  private final Object lock = new Object();
  private long limit = -1; // the largest size the file may reach; -1: unlimited
  private long roomAtOpen = -1; // a fill() before the file was opened
  private Channel channel;
  private final AtomicInteger refusedWrites = new AtomicInteger();

  /** A {@link AuditSink#hashChained(Path)} sink whose file is on this disk. */
  public AuditSink hashChained(Path file) throws IOException {
    return HashChainedAuditSink.open(file, this::open);
  }

  /** A {@link AuditSink#jsonLines(Path)} sink whose file is on this disk. */
  public AuditSink jsonLines(Path file) throws IOException {
    return new JsonLinesSinks.Audit(
        refusingTornTail(LineFile.open(file, EventFormat.KIND_AUDIT, this::open)));
  }

  /**
   * From now on the file may grow by at most {@code bytesLeft} bytes beyond its present size (its size when it is
   * opened, if no sink has opened it yet); 0 fills the disk.
   */
  public void fill(long bytesLeft) throws IOException {
    if (bytesLeft < 0) {
      throw new IllegalArgumentException("bytes left must not be negative");
    }
    synchronized (lock) {
      if (channel == null) {
        roomAtOpen = bytesLeft;
      } else {
        limit = channel.size() + bytesLeft;
      }
    }
  }

  /** Space again: every write works. */
  public void free() {
    synchronized (lock) {
      limit = -1;
      roomAtOpen = -1;
    }
  }

  /** How many writes failed for lack of space so far. */
  public int refusedWrites() {
    return refusedWrites.get();
  }

  private static LineFile refusingTornTail(LineFile file) throws IOException {
    if (file.tornTailAtOpen() != null) {
      file.close();
      throw new IOException(file.path() + " ends in a partial record");
    }
    return file;
  }

  private FileChannel open(Path path) throws IOException {
    synchronized (lock) {
      if (channel != null && channel.isOpen()) {
        throw new IllegalStateException("a fake disk holds one open file");
      }
      channel = new Channel(LineFile.Opener.FILE.open(path));
      if (roomAtOpen >= 0) {
        limit = channel.size() + roomAtOpen;
        roomAtOpen = -1;
      }
      return channel;
    }
  }

  private final class Channel extends FileChannel {
    private final FileChannel file;

    Channel(FileChannel file) {
      this.file = file;
    }

    /** How many bytes a write of {@code wanted} at {@code position} may put down; throws if none. */
    private int allowed(long position, int wanted) throws IOException {
      synchronized (lock) {
        if (limit < 0) {
          return wanted;
        }
        long fits = Math.max(0, limit - position);
        if (fits == 0 && wanted > 0) {
          refusedWrites.incrementAndGet();
          throw new IOException("No space left on device");
        }
        return (int) Math.min(wanted, fits);
      }
    }

    private int write(ByteBuffer src, long position, boolean positional) throws IOException {
      int allowed = allowed(position, src.remaining());
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + allowed);
      int written = positional ? file.write(part, position) : file.write(part);
      src.position(src.position() + written);
      return written;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return write(src, position, true);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return write(src, file.position(), false);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        int wanted = srcs[i].remaining();
        int written = write(srcs[i]);
        total += written;
        if (written < wanted) {
          break;
        }
      }
      return total;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return file.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      file.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      file.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      throw new UnsupportedOperationException("the sinks write through write()");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException("the sinks do not map files");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
