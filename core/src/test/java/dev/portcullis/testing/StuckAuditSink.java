package dev.portcullis.testing;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An {@link AuditSink} whose {@code accept} does not return until {@link #release()}: a network sink whose peer
 * stopped reading, a file on a hung mount. It ignores interrupts, as a blocking socket write does, unless made
 * {@link #interruptible()}, when an interrupt makes it throw {@link InterruptedIOException}, as an interruptible
 * channel does. Records the events it took and its close. Release it when the test ends, so that the audit log's
 * thread can end too.
 */
public final class StuckAuditSink implements AuditSink {
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<AuditEvent> accepted = new CopyOnWriteArrayList<>();
  private final boolean interruptible;
  private volatile boolean closed;

  private StuckAuditSink(boolean interruptible) {
    this.interruptible = interruptible;
  }

  /** A sink that ignores interrupts while it is stuck. */
  public static StuckAuditSink ignoringInterrupts() {
    return new StuckAuditSink(false);
  }

  /** A sink that gives up on an interrupt with {@link InterruptedIOException}. */
  public static StuckAuditSink interruptible() {
    return new StuckAuditSink(true);
  }

  @Override
  public void accept(AuditEvent event) throws InterruptedIOException {
    entered.countDown();
    while (true) {
      try {
        released.await();
        break;
      } catch (InterruptedException e) {
        if (interruptible) {
          throw new InterruptedIOException("interrupted while stuck");
        }
      }
    }
    accepted.add(event);
  }

  @Override
  public void close() {
    closed = true;
  }

  /** Whether the audit log's thread is stuck in {@code accept}, waiting up to a minute for it to get there. */
  public boolean awaitStuck() throws InterruptedException {
    return entered.await(1, TimeUnit.MINUTES);
  }

  /** Lets every {@code accept}, now and later, return. */
  public void release() {
    released.countDown();
  }

  /** The events that {@code accept} returned for, in order. */
  public List<AuditEvent> accepted() {
    return List.copyOf(accepted);
  }

  public boolean isClosed() {
    return closed;
  }
}
