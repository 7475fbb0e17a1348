package dev.portcullis.audit;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;

/**
 * The flush, close and name of a sink that writes through something else: a line file, or another sink it wraps.
 * Subclasses implement {@link AuditSink} or {@link SearchDemandSink} and add only {@code accept}.
 */
abstract class ForwardingSink<T extends Closeable & Flushable> implements Closeable, Flushable {
  final T target;
  private final String name;

  ForwardingSink(T target, String name) {
    this.target = target;
    this.name = name;
  }

  @Override
  public void flush() throws IOException {
    target.flush();
  }

  @Override
  public void close() throws IOException {
    target.close();
  }

  @Override
  public String toString() {
    return name;
  }
}
