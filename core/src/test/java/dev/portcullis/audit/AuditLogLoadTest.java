package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two threads emit 100,000 events each through one {@link AuditLog}; the sink must count every one, once, in each
 * thread's order. Prints the throughput:
 *
 * <pre>
 * ./mvnw -B -ntp -pl core test -Dtest=AuditLogLoadTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class AuditLogLoadTest {
  private static final int THREADS = 2;
  private static final int PER_THREAD = 100_000;

  @TempDir
  Path dir;

  /** Counts at the sink and checks that each producer's events arrive once and in order. */
  private static final class CountingSink implements AuditSink {
    final long[] next = new long[THREADS];
    final BitSet[] seen = {new BitSet(PER_THREAD), new BitSet(PER_THREAD)};
    long count;
    long outOfOrder;

    @Override
    public void accept(AuditEvent event) {
      String r = event.requestId().orElseThrow();
      int thread = r.charAt(1) - '0';
      int i = Integer.parseInt(r.substring(3));
      if (i != next[thread]) {
        outOfOrder++;
      }
      next[thread] = i + 1L;
      seen[thread].set(i);
      count++;
    }
  }

  private static double run(AuditLog log) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      Thread p = new Thread(
          () -> {
            try {
              start.await();
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
            AuditEvent.Actor actor = AuditEvent.Actor.of("u-" + thread, "org-1");
            for (int i = 0; i < PER_THREAD; i++) {
              log.emit(log.event(AuditEventType.of("access_granted"))
                  .actor(actor)
                  .action("report_view")
                  .resource("/reports/" + i)
                  .requestId("t" + thread + "-" + i)
                  .clientAddress("203.0.113.9")
                  .build());
            }
          },
          "producer-" + t);
      producers.add(p);
      p.start();
    }
    long begin = System.nanoTime();
    start.countDown();
    for (Thread p : producers) {
      p.join();
    }
    log.close();
    double seconds = (System.nanoTime() - begin) / 1e9;
    return THREADS * PER_THREAD / seconds;
  }

  @Test
  void twoThreadsTimesOneHundredThousandEvents_loseNone() throws InterruptedException {
    CountingSink sink = new CountingSink();
    AuditLog log =
        Fixtures.log().auditSink(sink).demandSink(SearchDemandSink.noop()).build();
    double perSecond = run(log);
    System.out.printf(
        Locale.ROOT, "LOAD counting sink: %d events, %.0f events/s%n", sink.count, perSecond);

    assertThat(sink.count).isEqualTo((long) THREADS * PER_THREAD);
    for (BitSet s : sink.seen) {
      assertThat(s.cardinality()).isEqualTo(PER_THREAD);
    }
    assertThat(sink.outOfOrder)
        .as("events of one thread arrive in emission order")
        .isZero();
    assertThat(log.stats().emitted()).isEqualTo((long) THREADS * PER_THREAD);
    assertThat(log.stats().delivered()).isEqualTo((long) THREADS * PER_THREAD);
    assertThat(log.stats().dropped()).isZero();
    assertThat(log.stats().sinkFailures()).isZero();
  }

  @Test
  void twoThreadsTimesOneHundredThousandEvents_intoTheHashChainedFile_loseNoneAndVerify()
      throws InterruptedException, IOException {
    Path file = dir.resolve("audit.jsonl");
    AuditLog log = Fixtures.log()
        .auditSink(AuditSink.hashChained(file))
        .demandSink(SearchDemandSink.noop())
        .build();
    double perSecond = run(log);
    AuditChainVerifier.Result verified = AuditChainVerifier.verify(file);
    System.out.printf(
        Locale.ROOT,
        "LOAD hash-chained file sink: %d records, %.0f events/s; verify: %s%n",
        verified.records(),
        perSecond,
        verified.describe());

    assertThat(verified.intact()).as(verified.describe()).isTrue();
    assertThat(verified.records()).isEqualTo((long) THREADS * PER_THREAD);
    assertThat(log.stats().dropped()).isZero();
    assertThat(log.stats().sinkFailures()).isZero();
  }
}
