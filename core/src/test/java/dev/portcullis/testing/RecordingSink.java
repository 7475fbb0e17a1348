package dev.portcullis.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the recording sinks share: every event kept in order, and strictness. An assertion fails with the full list of
 * recorded events, and an event delivered after {@link #close()} fails the delivery (a dispatcher bug). Thread-safe.
 *
 * @param <E> the event type of the sink SPI the subclass implements
 */
public abstract class RecordingSink<E> {
  private final List<E> events = new ArrayList<>();
  private boolean closed;

  RecordingSink() {}

  public synchronized void accept(E event) {
    if (closed) {
      throw new IllegalStateException("event delivered after close: " + event);
    }
    events.add(event);
  }

  public synchronized void close() {
    closed = true;
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  /** Everything recorded so far, in order. */
  public synchronized List<E> events() {
    return List.copyOf(events);
  }

  /** The single event that satisfies {@code fields}; fails if there is none or more than one. */
  public E assertOnce(Predicate<? super E> fields) {
    return single(fields, "matching event");
  }

  /** The single event that satisfies {@code matching}; the failure names it {@code what}. */
  final synchronized E single(Predicate<? super E> matching, String what) {
    List<E> found = events.stream().filter(matching).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected exactly one " + what + ", found " + found.size() + recorded());
    }
    return found.get(0);
  }

  /** Fails if any event satisfies {@code matching}; the failure names it {@code what}. */
  final synchronized void none(Predicate<? super E> matching, String what) {
    if (events.stream().anyMatch(matching)) {
      throw new AssertionError("expected no " + what + recorded());
    }
  }

  private String recorded() {
    StringBuilder out = new StringBuilder("; recorded:");
    if (events.isEmpty()) {
      out.append(" nothing");
    }
    for (E e : events) {
      out.append(System.lineSeparator()).append("  ").append(e);
    }
    return out.toString();
  }
}
