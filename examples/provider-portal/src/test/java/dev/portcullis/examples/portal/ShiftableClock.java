package dev.portcullis.examples.portal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock plus an offset that a test moves forward: time passes as usual (sessions, timeouts), and a test
 * can jump past the end of the search-demand log's hour so that the log publishes it.
 */
final class ShiftableClock implements InstantSource {
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  @Override
  public Instant instant() {
    return InstantSource.system().instant().plus(offset.get());
  }

  void advance(Duration by) {
    offset.updateAndGet(o -> o.plus(by));
  }
}
