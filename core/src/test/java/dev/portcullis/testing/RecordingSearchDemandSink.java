package dev.portcullis.testing;

import dev.portcullis.audit.SearchDemandEvent;
import dev.portcullis.audit.SearchDemandSink;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A {@link SearchDemandSink} that keeps every event; strict in the same way as {@link RecordingAuditSink}. */
public final class RecordingSearchDemandSink implements SearchDemandSink {
  private final List<SearchDemandEvent> events = new ArrayList<>();
  private boolean closed;

  @Override
  public synchronized void accept(SearchDemandEvent event) {
    if (closed) {
      throw new IllegalStateException("event delivered after close: " + event);
    }
    events.add(event);
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  public synchronized List<SearchDemandEvent> events() {
    return List.copyOf(events);
  }

  /** The single event that satisfies {@code fields}; fails if there is none or more than one. */
  public synchronized SearchDemandEvent assertOnce(Predicate<? super SearchDemandEvent> fields) {
    List<SearchDemandEvent> matching = events.stream().filter(fields).toList();
    if (matching.size() != 1) {
      throw new AssertionError(
          "expected exactly one matching search-demand event, found " + matching.size() + "; recorded: " + events);
    }
    return matching.get(0);
  }
}
