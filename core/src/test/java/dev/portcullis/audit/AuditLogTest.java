package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.DeterministicRandom;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingAuditSink;
import dev.portcullis.testing.RecordingSearchDemandSink;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AuditLogTest {

  @Test
  void event_isStampedWithTheInjectedClockAndARandomId() {
    MutableClock clock = Fixtures.clock();
    RecordingAuditSink sink = new RecordingAuditSink();
    try (AuditLog log = AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(sink)
        .build()) {
      log.emit(log.event(AuditEventType.LOGOUT).build());
      clock.advance(Duration.ofMinutes(5));
      log.emit(log.event(AuditEventType.LOGOUT).build());
    }
    assertThat(sink.events())
        .extracting(AuditEvent::time)
        .containsExactly(Fixtures.T0, Fixtures.T0.plus(Duration.ofMinutes(5)));
    assertThat(sink.events())
        .extracting(AuditEvent::id)
        .allMatch(id -> id.matches("[A-Za-z0-9_-]{22}"))
        .doesNotHaveDuplicates();
  }

  @Test
  void requestIds_areRandomUuidsDrawnFromTheInjectedRandom() {
    String first;
    String second;
    try (AuditLog log = AuditLog.builder()
        .clock(Fixtures.clock())
        .random(new DeterministicRandom(7))
        .auditSink(new RecordingAuditSink())
        .build()) {
      first = log.newRequestId();
      second = log.newRequestId();
    }
    try (AuditLog same = AuditLog.builder()
        .clock(Fixtures.clock())
        .random(new DeterministicRandom(7))
        .auditSink(new RecordingAuditSink())
        .build()) {
      assertThat(same.newRequestId()).as("the same random gives the same id").isEqualTo(first);
    }
    try (AuditLog other = AuditLog.builder()
        .clock(Fixtures.clock())
        .random(new DeterministicRandom(8))
        .auditSink(new RecordingAuditSink())
        .build()) {
      assertThat(other.newRequestId()).isNotEqualTo(first);
    }
    String uuid4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    assertThat(first).matches(uuid4);
    assertThat(second).matches(uuid4).isNotEqualTo(first);
  }

  @Test
  void close_deliversEverythingQueued_thenClosesTheSinks() {
    RecordingAuditSink sink = new RecordingAuditSink();
    RecordingSearchDemandSink demand = new RecordingSearchDemandSink();
    AuditLog log = Fixtures.log().auditSink(sink).demandSink(demand).build();
    for (int i = 0; i < 1000; i++) {
      log.emit(
          log.event(AuditEventType.of("access_granted")).resource("/r/" + i).build());
    }
    log.searched("/search", "care homes", 3);
    log.close();
    assertThat(sink.events()).hasSize(1000);
    assertThat(sink.isClosed()).isTrue();
    demand.assertOnce(
        e -> e.terms().equals("care homes") && e.searches() == 1 && e.withoutResults() == 0);
    assertThat(log.stats().emitted())
        .as("searches are not counted as they come")
        .isEqualTo(1000);
    assertThat(log.stats().delivered()).as("the published search record is").isEqualTo(1001);
    log.close(); // again: nothing happens
  }

  @Test
  void emitAfterClose_isAClearError() {
    AuditLog log = Fixtures.log()
        .auditSink(AuditSink.noop())
        .demandSink(SearchDemandSink.noop())
        .build();
    AuditEvent e = log.event(AuditEventType.LOGOUT).build();
    log.close();
    assertThatThrownBy(() -> log.emit(e))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed")
        .hasMessageContaining("logout");
    assertThatThrownBy(() -> log.searched("/search", "q", 1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> log.flush(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sinkThatThrowsIOException_isOutOfService_keepsItsEventsInOrder_whileTheOthersGoOn()
      throws Exception {
    RecordingAuditSink healthy = new RecordingAuditSink();
    SwitchedSink switched = new SwitchedSink();
    String report;
    // No retries on the clock here: only the flushes retry, so the counts below are exact.
    try (AuditLog log = Fixtures.log()
        .retryInterval(Duration.ofMinutes(10))
        .auditSink(switched)
        .auditSink(healthy)
        .build()) {
      for (int i = 0; i < 3; i++) {
        log.emit(
            log.event(AuditEventType.of("access_granted")).resource("/r/" + i).build());
      }
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      switched.down = true;
      // Capture from before the first emit: the dispatcher thread reports the failure at once.
      report = Fixtures.capturingStderr(() -> {
        for (int i = 3; i < 8; i++) {
          log.emit(log.event(AuditEventType.of("access_granted"))
              .actor(AuditEvent.Actor.of("u-1", null))
              .resource("/r/secret-" + i)
              .build());
        }
        try {
          assertThat(log.flush(Duration.ofSeconds(10)))
              .as("a failing sink fails the flush")
              .isFalse();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      });
      assertThat(log.health()).isEqualTo(new AuditLog.Health(1, 5));
      assertThat(log.health().healthy()).isFalse();
      assertThat(healthy.events()).as("the other sink goes on").hasSize(8);
      assertThat(switched.taken).hasSize(3);

      switched.down = false;
      report += Fixtures.capturingStderr(() -> {
        try {
          assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      });
      assertThat(log.health()).isEqualTo(AuditLog.Health.HEALTHY);
      assertThat(switched.taken)
          .extracting(e -> e.resource().orElseThrow())
          .containsExactly(
              "/r/0",
              "/r/1",
              "/r/2",
              "/r/secret-3",
              "/r/secret-4",
              "/r/secret-5",
              "/r/secret-6",
              "/r/secret-7");
      assertThat(log.stats().sinkFailures())
          .as("the first failure and the retry of the first flush")
          .isEqualTo(2);
      assertThat(log.stats().delivered()).isEqualTo(16);
    }
    assertThat(report)
        .contains("ERROR")
        .contains("failed to write: java.io.IOException; it is out of service")
        .contains("recovered after 2 failed attempts and took the events kept for it: 5")
        .doesNotContain("secret")
        .doesNotContain("u-1")
        .doesNotContain("disk full");
    assertThat(report.lines().filter(l -> l.contains("ERROR")))
        .as("one ERROR line per outage")
        .hasSize(1);
  }

  @Test
  void sinkThatThrowsSomethingElse_skipsThatEvent_isCountedAndReported_andStaysInService()
      throws Exception {
    RecordingAuditSink healthy = new RecordingAuditSink();
    RecordingAuditSink behind = new RecordingAuditSink();
    AuditSink picky = event -> {
      if (event.type().equals(AuditEventType.LOGOUT)) {
        throw new IllegalStateException("boom u-1");
      }
      behind.accept(event);
    };
    String report;
    try (AuditLog log = Fixtures.log().auditSink(picky).auditSink(healthy).build()) {
      report = Fixtures.capturingStderr(() -> {
        log.emit(
            log.event(AuditEventType.of("access_granted")).resource("/before").build());
        log.emit(log.event(AuditEventType.LOGOUT).build());
        log.emit(
            log.event(AuditEventType.of("access_granted")).resource("/after").build());
        try {
          assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      });
      assertThat(log.health().healthy()).isTrue();
      assertThat(log.stats().sinkFailures()).isEqualTo(1);
      assertThat(log.stats().delivered()).isEqualTo(5);
    }
    assertThat(healthy.events()).hasSize(3);
    assertThat(behind.events())
        .extracting(e -> e.resource().orElseThrow())
        .containsExactly("/before", "/after");
    assertThat(report)
        .contains("failed to deliver a logout event: java.lang.IllegalStateException")
        .doesNotContain("u-1")
        .doesNotContain("boom");
  }

  @Test
  void failingSink_isRetriedOnTheInterval_withoutAFlush() throws Exception {
    SwitchedSink switched = new SwitchedSink();
    switched.down = true;
    try (AuditLog log =
        Fixtures.log().retryInterval(Duration.ofMillis(10)).auditSink(switched).build()) {
      assertThat(log.retryInterval()).isEqualTo(Duration.ofMillis(10));
      Fixtures.capturingStderr(() -> log.emit(log.event(AuditEventType.LOGOUT).build()));
      awaitUpTo30s("the dispatcher meets the failure", () -> !log.health().healthy());
      int attempts = switched.attempts.get();
      awaitUpTo30s("it keeps trying on its own", () -> switched.attempts.get() >= attempts + 3);
      switched.down = false;
      awaitUpTo30s("it recovers on its own", () -> log.health().healthy());
      assertThat(switched.taken).hasSize(1);
    }
  }

  /** Waits for something the dispatcher does on its own clock; the bound only stops a broken build from hanging. */
  private static void awaitUpTo30s(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    for (int i = 0; i < 3000 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void sinkStillFailingAtClose_losesOnlyWhatItNeverTook_andSaysHowMany() {
    SwitchedSink switched = new SwitchedSink();
    RecordingAuditSink healthy = new RecordingAuditSink();
    AuditLog log = Fixtures.log().auditSink(switched).auditSink(healthy).build();
    switched.down = true;
    String report = Fixtures.capturingStderr(() -> {
      for (int i = 0; i < 4; i++) {
        log.emit(log.event(AuditEventType.LOGOUT).build());
      }
      log.close();
    });
    assertThat(healthy.events()).hasSize(4);
    assertThat(switched.taken).isEmpty();
    assertThat(report)
        .contains(
            "still failing at close: 4 events are lost (4 it did not take, 0 it took and could"
                + " not write)");
  }

  @Test
  void failingSinkWithAFullBacklog_holdsTheQueue_soEmittersFeelIt_andNothingTakenIsLost()
      throws Exception {
    SwitchedSink switched = new SwitchedSink();
    try (AuditLog log = Fixtures.log()
        .queueCapacity(2)
        .whenFull(AuditLog.WhenFull.DROP)
        .auditSink(switched)
        .build()) {
      switched.down = true;
      String report = Fixtures.capturingStderr(() -> {
        log.emit(log.event(AuditEventType.LOGOUT).resource("/kept-1").build());
        log.emit(log.event(AuditEventType.LOGOUT).resource("/kept-2").build());
        try {
          assertThat(log.flush(Duration.ofSeconds(10))).isFalse();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        // Two kept: the backlog is full, so the dispatcher leaves the queue alone and it fills up.
        for (int i = 0; i < 10; i++) {
          log.emit(log.event(AuditEventType.LOGOUT).resource("/queued-" + i).build());
        }
      });
      assertThat(log.stats().dropped()).isEqualTo(8);
      assertThat(log.health()).isEqualTo(new AuditLog.Health(1, 2));
      assertThat(report).contains("Audit queue full");
      switched.down = false;
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(switched.taken)
        .extracting(e -> e.resource().orElseThrow())
        .containsExactly("/kept-1", "/kept-2", "/queued-0", "/queued-1");
  }

  /**
   * Regression: at close, the summaries of the windows still open were made outside the guard the dispatcher's
   * periodic pass has, so one that threw ended the dispatcher there: the events kept for a failing sink were never
   * offered again and no sink was closed.
   */
  @Test
  void summaryThatThrowsAtClose_losesNoKeptEvent_andStillClosesTheSinks() throws Exception {
    SwitchedSink switched = new SwitchedSink();
    RecordingSearchDemandSink demand = new RecordingSearchDemandSink();
    FailingRandom random = new FailingRandom();
    // No retries on the clock: only the close offers the kept events again.
    AuditLog log = AuditLog.builder()
        .clock(Fixtures.clock())
        .random(random)
        .retryInterval(Duration.ofMinutes(10))
        .anonymousEventsPerAddress(1)
        .auditSink(switched)
        .demandSink(demand)
        .build();
    switched.down = true;
    String report = Fixtures.capturingStderr(() -> {
      try {
        for (int i = 0; i < 3; i++) {
          // One within the address's share, two withheld: the window, still open at close, needs
          // a summary.
          log.emit(log.event(AuditEventType.CSRF_FAIL)
              .clientAddress("203.0.113.7")
              .resource("/form/" + i)
              .failure("refused")
              .build());
        }
        awaitUpTo30s("the sink fails", () -> !log.health().healthy());
        log.emit(log.event(AuditEventType.LOGOUT)
            .actor(AuditEvent.Actor.of("u-1", null))
            .resource("/kept")
            .build());
        assertThat(log.flush(Duration.ofSeconds(10)))
            .as("the sink is still failing")
            .isFalse();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      switched.down = false;
      random.fail = true; // the summary's event id can't be drawn
      log.close();
    });

    assertThat(switched.taken)
        .as("the kept events reach the sink at close")
        .extracting(e -> e.resource().orElseThrow())
        .containsExactly("/form/0", "/kept");
    assertThat(switched.closed).as("the audit sink is closed").isTrue();
    assertThat(demand.isClosed()).as("the demand sink is closed").isTrue();
    assertThat(report)
        .contains("Could not summarise withheld anonymous events at close")
        .doesNotContain("random source failed (test)");
    assertThat(log.stats().withheld()).isEqualTo(2);
  }

  /** A {@link SecureRandom} that throws while {@link #fail} is set: the audit log draws event ids from it. */
  private static final class FailingRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    volatile boolean fail;

    @Override
    public void nextBytes(byte[] bytes) {
      if (fail) {
        throw new IllegalStateException("random source failed (test)");
      }
      super.nextBytes(bytes);
    }
  }

  /** Takes events while up; throws IOException while down. Records its close. */
  private static final class SwitchedSink implements AuditSink {
    final java.util.List<AuditEvent> taken = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger attempts =
        new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean down;
    volatile boolean closed;

    @Override
    public void accept(AuditEvent event) throws IOException {
      attempts.incrementAndGet();
      if (down) {
        throw new IOException("disk full while writing " + event);
      }
      taken.add(event);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void sinkThatThrowsAnError_stillDoesNotStopTheDispatcher() {
    RecordingAuditSink healthy = new RecordingAuditSink();
    AtomicBoolean thrown = new AtomicBoolean();
    AuditSink failing = event -> {
      if (thrown.compareAndSet(false, true)) {
        throw new AssertionError("an Error, not an Exception");
      }
    };
    AuditLog log = Fixtures.log().auditSink(failing).auditSink(healthy).build();
    Fixtures.capturingStderr(() -> {
      for (int i = 0; i < 3; i++) {
        log.emit(log.event(AuditEventType.LOGOUT).build());
      }
      log.close();
    });
    assertThat(healthy.events()).hasSize(3);
    assertThat(log.stats().sinkFailures()).isEqualTo(1);
  }

  @Test
  void flushAndCloseFailures_areCountedToo() {
    AuditSink failingFlush = new AuditSink() {
      @Override
      public void accept(AuditEvent event) {}

      @Override
      public void flush() throws IOException {
        throw new IOException("flush");
      }

      @Override
      public void close() throws IOException {
        throw new IOException("close");
      }
    };
    AuditLog log = Fixtures.log()
        .auditSink(failingFlush)
        .demandSink(SearchDemandSink.noop())
        .build();
    Fixtures.capturingStderr(() -> {
      log.emit(log.event(AuditEventType.LOGOUT).build());
      log.close();
    });
    assertThat(log.stats().sinkFailures()).isGreaterThanOrEqualTo(2);
    assertThat(log.stats().delivered()).isEqualTo(1);
  }

  @Test
  void fullQueue_blocksTheEmitter_byDefault_andLosesNothing() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RecordingAuditSink sink = new RecordingAuditSink();
    AuditSink slow = event -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sink.accept(event);
    };
    AuditLog log = Fixtures.log().queueCapacity(2).auditSink(slow).build();
    CountDownLatch emitted = new CountDownLatch(1);
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 10; i++) {
        log.emit(log.event(AuditEventType.LOGOUT).build());
      }
      emitted.countDown();
    });
    producer.start();
    assertThat(emitted.await(300, TimeUnit.MILLISECONDS))
        .as("emitter waits for room")
        .isFalse();
    producer.interrupt(); // an interrupt does not turn blocking into dropping
    release.countDown();
    assertThat(emitted.await(10, TimeUnit.SECONDS)).isTrue();
    log.close();
    assertThat(sink.events()).hasSize(10);
    assertThat(log.stats().dropped()).isZero();
  }

  @Test
  void dropPolicy_dropsWhenFull_countsAndReports_neverBlocks() {
    CountDownLatch release = new CountDownLatch(1);
    RecordingAuditSink sink = new RecordingAuditSink();
    AuditSink slow = event -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sink.accept(event);
    };
    AuditLog log = Fixtures.log()
        .queueCapacity(2)
        .whenFull(AuditLog.WhenFull.DROP)
        .auditSink(slow)
        .build();
    String report = Fixtures.capturingStderr(() -> {
      for (int i = 0; i < 50; i++) {
        log.emit(log.event(AuditEventType.LOGOUT).build());
      }
    });
    release.countDown();
    log.close();
    AuditLog.Stats stats = log.stats();
    assertThat(stats.dropped())
        .as("at most a batch of 3 and a queue of 2 got in")
        .isGreaterThanOrEqualTo(45);
    assertThat(stats.emitted() + stats.dropped()).isEqualTo(50);
    assertThat(sink.events()).hasSize((int) stats.emitted());
    assertThat(report).contains("Audit queue full: dropped a logout event");
  }

  @Test
  void demandEvents_goOnlyToDemandSinks_andAuditEventsOnlyToAuditSinks() {
    RecordingAuditSink audit = new RecordingAuditSink();
    RecordingSearchDemandSink demand = new RecordingSearchDemandSink();
    try (AuditLog log = Fixtures.log().auditSink(audit).demandSink(demand).build()) {
      log.emit(log.event(AuditEventType.of("access_granted")).build());
      log.searched("/search", "respite care", 4);
    }
    assertThat(audit.events()).hasSize(1);
    assertThat(demand.events()).hasSize(1);
  }

  @Test
  void searched_usesTheClockTruncatedToTheConfiguredBucket() {
    RecordingSearchDemandSink demand = new RecordingSearchDemandSink();
    MutableClock clock = new MutableClock(Instant.parse("2026-03-04T10:59:59.999Z"));
    try (AuditLog log = AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(AuditSink.noop())
        .demandSink(demand)
        .demandBucket(Duration.ofMinutes(30))
        .build()) {
      log.searched("/search", "q", 0);
    }
    assertThat(demand.events().get(0).bucketStart())
        .isEqualTo(Instant.parse("2026-03-04T10:30:00Z"));
  }

  @Test
  void builder_refusesMissingClockOrRandom_badCapacity_andSharedSinks() {
    assertThatThrownBy(() -> AuditLog.builder().random(new SecureRandom()).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> AuditLog.builder().clock(Fixtures.clock()).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Fixtures.log().queueCapacity(0).build())
        .isInstanceOf(IllegalStateException.class);
    AuditSink once = AuditSink.noop();
    assertThatThrownBy(() -> Fixtures.log().auditSink(once).auditSink(once).build())
        .isInstanceOf(IllegalStateException.class);
    BothKinds both = new BothKinds();
    assertThatThrownBy(() -> Fixtures.log().auditSink(both).demandSink(both).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> Fixtures.log().demandBucket(Duration.ofMinutes(7)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fixtures.log().retryInterval(Duration.ofMillis(9)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fixtures.log().retryInterval(Duration.ofMinutes(11)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dispatcherThread_isNamedAndEndsOnClose() {
    AuditLog log = Fixtures.log()
        .auditSink(AuditSink.noop())
        .demandSink(SearchDemandSink.noop())
        .build();
    Set<String> names = new HashSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
    assertThat(names).contains("portcullis-audit");
    log.close();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("portcullis-audit"));
  }

  private static final class BothKinds implements AuditSink, SearchDemandSink {
    @Override
    public void accept(AuditEvent event) {}

    @Override
    public void accept(SearchDemandEvent event) {}

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
