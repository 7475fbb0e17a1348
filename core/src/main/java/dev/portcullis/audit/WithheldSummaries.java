package dev.portcullis.audit;

import dev.portcullis.internal.PerAddressLimit.Overflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Turns the windows in which a client address had anonymous events withheld into {@link
 * AuditEventType#AUDIT_WITHHELD} events for the audit log: one per address, event type and window, at most {@value
 * #PER_MINUTE} a minute; the windows past that are told in one more summary when the minute is over. So the summaries
 * add at most {@value #PER_MINUTE} + 1 lines a minute to the log, however many addresses a flood comes from.
 *
 * <p>{@link #offer} is called by whichever thread closes a window (a request thread too) and only queues it (up to
 * {@value #PENDING}; past that only its counts are kept, for the minute's last summary). Everything else is the
 * dispatcher's.
 */
final class WithheldSummaries {
  /** How many windows a minute get a summary of their own. */
  static final int PER_MINUTE = 100;
  /** How many closed windows wait for the dispatcher at most; past that only their counts are kept. */
  static final int PENDING = 1024;

  private static final Duration MINUTE = Duration.ofMinutes(1);

  private final BlockingQueue<Overflow> pending = new ArrayBlockingQueue<>(PENDING);
  private final LongAdder unqueuedEvents = new LongAdder();
  private final LongAdder unqueuedWindows = new LongAdder();
  private final int share;
  private volatile boolean closed;

  // The dispatcher's only.
  private Instant minuteStart; // null while no minute is open
  private int written;
  private long restEvents;
  private long restWindows;

  /** @param share the number of events of one type an address may write per window, for the summaries' words */
  WithheldSummaries(int share) {
    this.share = share;
  }

  /** Queues a closed window for its summary; after {@link #takeAll} it is ignored. Never blocks, never throws. */
  void offer(Overflow window) {
    if (closed) {
      return;
    }
    if (!pending.offer(window)) {
      unqueuedEvents.add(window.past());
      unqueuedWindows.increment();
    }
  }

  /**
   * The summaries due at {@code now}: one for each window closed since the last call while this minute has room, and
   * the one for the rest of a minute that is over.
   *
   * @param events a builder of an event of the given type, with its id and time
   */
  List<AuditEvent> take(Instant now, Function<AuditEventType, AuditEvent.Builder> events) {
    List<AuditEvent> out = new ArrayList<>();
    if (minuteStart != null && !now.isBefore(minuteStart.plus(MINUTE))) {
      rest(now, events, out);
      minuteStart = null;
    }
    List<Overflow> closedWindows = new ArrayList<>();
    pending.drainTo(closedWindows);
    summarise(closedWindows, now, events, out);
    return out;
  }

  /**
   * Every summary still due, at close: the windows closed and not yet told, the {@code open} ones as they stand, and
   * the rest at once, whatever the minute. Windows offered later are ignored.
   */
  List<AuditEvent> takeAll(
      Instant now, List<Overflow> open, Function<AuditEventType, AuditEvent.Builder> events) {
    closed = true;
    List<Overflow> windows = new ArrayList<>();
    pending.drainTo(windows);
    // A window closed between the listing of the open ones and now is in both lists; told once.
    Set<WindowKey> told = new HashSet<>();
    for (Overflow w : windows) {
      told.add(WindowKey.of(w));
    }
    for (Overflow w : open) {
      if (!told.contains(WindowKey.of(w))) {
        windows.add(w);
      }
    }
    List<AuditEvent> out = new ArrayList<>();
    summarise(windows, now, events, out);
    rest(now, events, out);
    minuteStart = null;
    return out;
  }

  private void summarise(
      List<Overflow> windows,
      Instant now,
      Function<AuditEventType, AuditEvent.Builder> events,
      List<AuditEvent> out) {
    long lostEvents = unqueuedEvents.sumThenReset();
    long lostWindows = unqueuedWindows.sumThenReset();
    if (windows.isEmpty() && lostWindows == 0) {
      return;
    }
    if (minuteStart == null) {
      minuteStart = now;
      written = 0;
    }
    restEvents += lostEvents;
    restWindows += lostWindows;
    for (Overflow w : windows) {
      AuditEvent summary = written < PER_MINUTE ? summary(w, events) : null;
      if (summary == null) {
        restEvents += w.past();
        restWindows++;
      } else {
        out.add(summary);
        written++;
      }
    }
  }

  /** The window's summary, or null if its event type cannot be named in an audit event. */
  private AuditEvent summary(Overflow w, Function<AuditEventType, AuditEvent.Builder> events) {
    String reason = w.past() + " " + w.kind() + " events from " + w.clientPrefix()
        + " withheld past its share of " + share + " in the window " + w.start() + " to " + w.end()
        + (w.cutShort() ? " (cut short)" : "");
    try {
      return events
          .apply(AuditEventType.AUDIT_WITHHELD)
          .action(w.kind())
          .clientAddress(w.clientAddress())
          .failure(reason)
          .build();
    } catch (IllegalArgumentException e) {
      return null; // an application's type name the event builder refuses: counted in the rest
    }
  }

  private void rest(
      Instant now, Function<AuditEventType, AuditEvent.Builder> events, List<AuditEvent> out) {
    if (restWindows == 0) {
      return;
    }
    Instant from = minuteStart == null ? now : minuteStart;
    out.add(events
        .apply(AuditEventType.AUDIT_WITHHELD)
        .failure(restEvents + " events withheld in " + restWindows
            + " more windows of an address and event type that closed from " + from + " to " + now
            + ", past the " + PER_MINUTE + " summaries a minute")
        .build());
    restEvents = 0;
    restWindows = 0;
  }

  /** One window of one address and event type. */
  private record WindowKey(String clientPrefix, String kind, Instant start) {
    static WindowKey of(Overflow w) {
      return new WindowKey(w.clientPrefix(), w.kind(), w.start());
    }
  }
}
