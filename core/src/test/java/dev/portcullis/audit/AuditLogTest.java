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
    try (AuditLog log = AuditLog.builder().clock(clock).random(new SecureRandom()).auditSink(sink).build()) {
      log.emit(log.event(AuditEventType.LOGOUT).build());
      clock.advance(Duration.ofMinutes(5));
      log.emit(log.event(AuditEventType.LOGOUT).build());
    }
    assertThat(sink.events()).extracting(AuditEvent::time)
        .containsExactly(Fixtures.T0, Fixtures.T0.plus(Duration.ofMinutes(5)));
    assertThat(sink.events()).extracting(AuditEvent::id).allMatch(id -> id.matches("[A-Za-z0-9_-]{22}"))
        .doesNotHaveDuplicates();
  }

  @Test
  void requestIds_areRandomUuidsDrawnFromTheInjectedRandom() {
    String first;
    String second;
    try (AuditLog log = AuditLog.builder().clock(Fixtures.clock()).random(new DeterministicRandom(7))
        .auditSink(new RecordingAuditSink()).build()) {
      first = log.newRequestId();
      second = log.newRequestId();
    }
    try (AuditLog same = AuditLog.builder().clock(Fixtures.clock()).random(new DeterministicRandom(7))
        .auditSink(new RecordingAuditSink()).build()) {
      assertThat(same.newRequestId()).as("the same random gives the same id").isEqualTo(first);
    }
    try (AuditLog other = AuditLog.builder().clock(Fixtures.clock()).random(new DeterministicRandom(8))
        .auditSink(new RecordingAuditSink()).build()) {
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
      log.emit(log.event(AuditEventType.of("access_granted")).resource("/r/" + i).build());
    }
    log.searched("/search", "care homes", 3);
    log.close();
    assertThat(sink.events()).hasSize(1000);
    assertThat(sink.isClosed()).isTrue();
    demand.assertOnce(e -> e.terms().equals("care homes") && e.resultCount() == 3);
    assertThat(log.stats().emitted()).isEqualTo(1001);
    assertThat(log.stats().delivered()).isEqualTo(1001);
    log.close(); // again: nothing happens
  }

  @Test
  void emitAfterClose_isAClearError() {
    AuditLog log = Fixtures.log().auditSink(AuditSink.noop()).demandSink(SearchDemandSink.noop()).build();
    AuditEvent e = log.event(AuditEventType.LOGOUT).build();
    log.close();
    assertThatThrownBy(() -> log.emit(e)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed").hasMessageContaining("logout");
    assertThatThrownBy(() -> log.searched("/search", "q", 1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> log.flush(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sinkThatThrows_doesNotBreakEmit_isCountedAndReported_andHealthySinksGetEveryEvent() throws Exception {
    RecordingAuditSink healthy = new RecordingAuditSink();
    CapturingLogger errors = new CapturingLogger("errors");
    AuditSink failing = event -> {
      if (event.resource().orElse("").endsWith("/secret-7")) {
        throw new IOException("disk full while writing /secret-7 for u-1");
      }
      if (event.type().equals(AuditEventType.LOGOUT)) {
        throw new IllegalStateException("boom u-1");
      }
    };
    String failures;
    try (AuditLog log = Fixtures.log().auditSink(failing).auditSink(healthy).build()) {
      // Capture from before the first emit: the dispatcher thread may report a failure at once.
      failures = Fixtures.capturingStderr(() -> {
        for (int i = 0; i < 10; i++) {
          log.emit(log.event(AuditEventType.of("access_granted")).actor(AuditEvent.Actor.of("u-1", null))
              .resource("/r/secret-" + i).build());
        }
        log.emit(log.event(AuditEventType.LOGOUT).build());
        log.emit(log.event(AuditEventType.of("access_granted")).resource("/after").build());
        try {
          assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      });
      assertThat(log.stats().sinkFailures()).isEqualTo(2);
      assertThat(log.stats().delivered()).isEqualTo(12 + 10);
    }
    assertThat(healthy.events()).hasSize(12);
    healthy.assertOnce(AuditEventType.of("access_granted"), e -> e.resource().orElseThrow().equals("/after"));
    assertThat(failures)
        .contains("failed to deliver a access_granted event: java.io.IOException")
        .contains("failed to deliver a logout event: java.lang.IllegalStateException")
        .doesNotContain("secret-7")
        .doesNotContain("u-1")
        .doesNotContain("disk full");
    assertThat(errors.events()).isEmpty();
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
    AuditLog log = Fixtures.log().auditSink(failingFlush).demandSink(SearchDemandSink.noop()).build();
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
    assertThat(emitted.await(300, TimeUnit.MILLISECONDS)).as("emitter waits for room").isFalse();
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
    AuditLog log = Fixtures.log().queueCapacity(2).whenFull(AuditLog.WhenFull.DROP).auditSink(slow).build();
    String report = Fixtures.capturingStderr(() -> {
      for (int i = 0; i < 50; i++) {
        log.emit(log.event(AuditEventType.LOGOUT).build());
      }
    });
    release.countDown();
    log.close();
    AuditLog.Stats stats = log.stats();
    assertThat(stats.dropped()).as("at most a batch of 3 and a queue of 2 got in").isGreaterThanOrEqualTo(45);
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
    try (AuditLog log = AuditLog.builder().clock(clock).random(new SecureRandom()).auditSink(AuditSink.noop())
        .demandSink(demand).demandBucket(Duration.ofMinutes(30)).build()) {
      log.searched("/search", "q", 0);
    }
    assertThat(demand.events().get(0).bucketStart()).isEqualTo(Instant.parse("2026-03-04T10:30:00Z"));
  }

  @Test
  void builder_refusesMissingClockOrRandom_badCapacity_andSharedSinks() {
    assertThatThrownBy(() -> AuditLog.builder().random(new SecureRandom()).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> AuditLog.builder().clock(Fixtures.clock()).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Fixtures.log().queueCapacity(0).build()).isInstanceOf(IllegalStateException.class);
    AuditSink once = AuditSink.noop();
    assertThatThrownBy(() -> Fixtures.log().auditSink(once).auditSink(once).build())
        .isInstanceOf(IllegalStateException.class);
    BothKinds both = new BothKinds();
    assertThatThrownBy(() -> Fixtures.log().auditSink(both).demandSink(both).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> Fixtures.log().demandBucket(Duration.ofMinutes(7)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dispatcherThread_isNamedAndEndsOnClose() {
    AuditLog log = Fixtures.log().auditSink(AuditSink.noop()).demandSink(SearchDemandSink.noop()).build();
    Set<String> names = new HashSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
    assertThat(names).contains("portcullis-audit");
    log.close();
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("portcullis-audit"));
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
