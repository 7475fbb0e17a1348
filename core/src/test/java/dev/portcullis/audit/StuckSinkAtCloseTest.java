package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.StuckAuditSink;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink whose {@code accept} never returns (a network sink whose peer stopped reading, a file on a hung NFS mount)
 * made {@link AuditLog#close()}, and with it the application's shutdown, wait for ever. Now close gives up after the
 * close timeout, says in one ERROR line how many events are not written and on which sink it waited, and a sink that is
 * only slow still gets everything. The bounds of {@code assertTimeoutPreemptively} only stop a hanging close from
 * hanging the build; nothing here asserts how fast anything is.
 */
class StuckSinkAtCloseTest {
  private static final Duration HANG_BOUND = Duration.ofMinutes(2);

  @TempDir
  Path dir;

  @Test
  void sinkThatNeverReturns_closeGivesUp_andOneLineSaysHowManyEventsAreNotWritten_andOnWhichSink()
      throws Exception {
    Path file = dir.resolve("audit.jsonl");
    StuckAuditSink stuck = StuckAuditSink.ignoringInterrupts();
    AuditLog log = Fixtures.log()
        .closeTimeout(Duration.ofMillis(200))
        .auditSink(AuditSink.jsonLines(file))
        .auditSink(stuck)
        .build();
    try {
      for (int i = 0; i < 5; i++) {
        log.emit(log.event(AuditEventType.LOGOUT).resource("/r/" + i).build());
      }
      assertThat(stuck.awaitStuck()).as("the sink is stuck").isTrue();

      String report = Fixtures.capturingStderr(
          () -> assertTimeoutPreemptively(HANG_BOUND, log::close, "close waited for a stuck sink"));

      assertThat(log.isOpen()).isFalse();
      assertThatThrownBy(() -> log.emit(log.event(AuditEventType.LOGOUT).build()))
          .isInstanceOf(IllegalStateException.class);
      List<String> errors =
          report.lines().filter(l -> l.contains("close gave up")).toList();
      assertThat(errors).hasSize(1);
      assertThat(errors.get(0))
          .contains("ERROR")
          .contains("close timeout of PT0.2S")
          .contains("waiting on sink " + StuckAuditSink.class.getName())
          .contains("5 audit events are not written to every audit sink")
          .as("the file sink took the first event and had not written it yet")
          .contains("1 lines file sinks took are not written")
          .doesNotContain("/r/");
    } finally {
      stuck.release();
    }
    // Once the sink returns, the dispatcher calls no sink again but to close it: the file is
    // released
    // with the line it held.
    awaitUpTo30s("the sinks are closed", stuck::isClosed);
    assertThat(stuck.accepted()).hasSize(1);
    assertThat(Fixtures.lines(file)).hasSize(1);
    AuditSink.jsonLines(file).close(); // released
  }

  @Test
  void sinkBlockedInAnInterruptibleWait_returnsOnTheInterrupt_andIsClosed() throws Exception {
    StuckAuditSink stuck = StuckAuditSink.interruptible();
    RecordingAuditSink after = new RecordingAuditSink();
    AuditLog log = Fixtures.log()
        .closeTimeout(Duration.ofMillis(100))
        .auditSink(stuck)
        .auditSink(after)
        .build();
    for (int i = 0; i < 3; i++) {
      log.emit(log.event(AuditEventType.LOGOUT).build());
    }
    assertThat(stuck.awaitStuck()).isTrue();

    String report = Fixtures.capturingStderr(() -> {
      assertTimeoutPreemptively(HANG_BOUND, log::close);
      try {
        awaitUpTo30s("the sinks are closed", after::isClosed);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });

    assertThat(report)
        .contains("waiting on sink " + StuckAuditSink.class.getName())
        .contains("3 audit events are not written to every audit sink");
    assertThat(after.events()).as("nothing is delivered after close gave up").isEmpty();
    assertThat(stuck.accepted()).isEmpty();
    assertThat(stuck.isClosed()).isTrue();
  }

  @Test
  void stuckSinkWithAFullQueue_andEmittersWaitingForRoom_closeStillReturns_andCountsTheirEvents()
      throws Exception {
    StuckAuditSink stuck = StuckAuditSink.ignoringInterrupts();
    AuditLog log = Fixtures.log()
        .closeTimeout(Duration.ofMillis(200))
        .queueCapacity(2)
        .auditSink(stuck)
        .build();
    List<Thread> emitters = new CopyOnWriteArrayList<>();
    try {
      log.emit(log.event(AuditEventType.LOGOUT).build()); // in the sink's hands
      assertThat(stuck.awaitStuck()).isTrue();
      log.emit(log.event(AuditEventType.LOGOUT).build());
      log.emit(log.event(AuditEventType.LOGOUT).build()); // the queue is full
      for (int i = 0; i < 2; i++) {
        Thread emitter =
            new Thread(() -> log.emit(log.event(AuditEventType.LOGOUT).build()));
        emitter.setDaemon(true);
        emitter.start();
        emitters.add(emitter);
      }
      awaitUpTo30s(
          "both emitters wait for room",
          () -> emitters.stream().allMatch(t -> t.getState() == Thread.State.WAITING));

      String report =
          Fixtures.capturingStderr(() -> assertTimeoutPreemptively(HANG_BOUND, log::close));

      assertThat(report).contains("5 audit events are not written to every audit sink");
      for (Thread emitter : emitters) {
        emitter.join(TimeUnit.MINUTES.toMillis(1));
        assertThat(emitter.isAlive())
            .as("an emitter waiting for room is let go")
            .isFalse();
      }
    } finally {
      stuck.release();
    }
  }

  @Test
  void slowSinkThatFinishesWithinTheTimeout_getsEveryEvent_andNothingIsReportedLost()
      throws Exception {
    RecordingAuditSink recorded = new RecordingAuditSink();
    AtomicInteger calls = new AtomicInteger();
    AuditSink slow = new AuditSink() {
      @Override
      public void accept(AuditEvent event) throws IOException {
        calls.incrementAndGet();
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException();
        }
        recorded.accept(event);
      }

      @Override
      public void close() {
        recorded.close();
      }
    };
    AuditLog log =
        Fixtures.log().closeTimeout(Duration.ofMinutes(10)).auditSink(slow).build();
    for (int i = 0; i < 25; i++) {
      log.emit(log.event(AuditEventType.LOGOUT).resource("/r/" + i).build());
    }

    String report = Fixtures.capturingStderr(log::close);

    assertThat(recorded.events())
        .extracting(e -> e.resource().orElseThrow())
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 25).mapToObj(i -> "/r/" + i).toList());
    assertThat(calls.get()).isEqualTo(25);
    assertThat(recorded.isClosed()).isTrue();
    assertThat(report).doesNotContain("gave up").doesNotContain("lost");
  }

  @Test
  void closeTimeout_isThirtySecondsUnlessSet_andRangeChecked() {
    assertThat(AuditLog.DEFAULT_CLOSE_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
    AuditLog.Builder builder = Fixtures.log();
    assertThatThrownBy(() -> builder.closeTimeout(Duration.ofMillis(9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10 ms to one hour");
    assertThatThrownBy(() -> builder.closeTimeout(Duration.ofHours(1).plusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.closeTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.closeTimeout(null)).isInstanceOf(NullPointerException.class);
    try (AuditLog log = builder
        .closeTimeout(Duration.ofMillis(10))
        .closeTimeout(Duration.ofHours(1))
        .build()) {
      assertThat(log.closeTimeout()).as("the last one set").isEqualTo(Duration.ofHours(1));
    }
    try (AuditLog log = Fixtures.log().build()) {
      assertThat(log.closeTimeout()).isEqualTo(AuditLog.DEFAULT_CLOSE_TIMEOUT);
    }
  }

  /** Waits for what another thread does; the bound only stops a broken build from hanging. */
  private static void awaitUpTo30s(String what, BooleanSupplier condition)
      throws InterruptedException {
    for (int i = 0; i < 3000 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }
}
