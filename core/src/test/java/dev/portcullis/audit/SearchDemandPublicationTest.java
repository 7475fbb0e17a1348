package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.RecordingSearchDemandSink;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How {@link AuditLog} publishes searches: counted per bucket, handed to the demand sinks only when the bucket has
 * closed by the injected clock (or the log closes), sorted, with a bounded number of distinct terms.
 */
class SearchDemandPublicationTest {
  private static final Instant HOUR = Instant.parse("2026-03-04T10:00:00Z");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-04T10:17:42.123Z"));
  private final RecordingSearchDemandSink demand = new RecordingSearchDemandSink();

  private AuditLog.Builder log() {
    return AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(AuditSink.noop())
        .demandSink(demand);
  }

  private static boolean flushed(AuditLog log) throws InterruptedException {
    return log.flush(Duration.ofSeconds(10));
  }

  @Test
  void searches_areHeldUntilTheirBucketCloses_thenPublishedTogether_sortedAndCounted()
      throws Exception {
    try (AuditLog log = log().build()) {
      log.searched("/search", "Zinnia House", 4);
      log.searched("/search", "respite care", 0);
      log.searched("/providers", "nursing", 1);
      log.searched("/search", "RESPITE   care", 2);
      clock.advance(Duration.ofMinutes(42)); // 10:59:42, the hour still open
      assertThat(flushed(log)).isTrue();
      assertThat(demand.events()).isEmpty();

      clock.advance(Duration.ofSeconds(18)); // 11:00:00, the hour closed
      assertThat(flushed(log)).isTrue();
      assertThat(demand.events())
          .containsExactly(
              new SearchDemandEvent("nursing", 1, 0, "/providers", HOUR, Duration.ofHours(1)),
              new SearchDemandEvent("respite care", 2, 1, "/search", HOUR, Duration.ofHours(1)),
              new SearchDemandEvent("zinnia house", 1, 0, "/search", HOUR, Duration.ofHours(1)));
      assertThat(log.stats().emitted()).isZero();
      assertThat(log.stats().delivered()).isEqualTo(3);
    }
    assertThat(demand.events()).hasSize(3);
  }

  @Test
  void close_publishesTheOpenBucket_andSearchingAfterwardsIsAClearError() {
    AuditLog log = log().build();
    log.searched("/search", "day centres", 0);
    assertThat(demand.events()).isEmpty();
    log.close();
    assertThat(demand.events())
        .containsExactly(
            new SearchDemandEvent("day centres", 1, 1, "/search", HOUR, Duration.ofHours(1)));
    assertThat(demand.isClosed()).isTrue();
    assertThatThrownBy(() -> log.searched("/search", "q", 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void closedBucket_isPublishedByTheDispatcherItself_withoutAFlush() throws Exception {
    CountDownLatch published = new CountDownLatch(1);
    SearchDemandSink signalling = event -> published.countDown();
    try (AuditLog log = AuditLog.builder()
        .clock(clock)
        .random(new SecureRandom())
        .auditSink(AuditSink.noop())
        .demandSink(signalling)
        .build()) {
      log.searched("/search", "care", 1);
      clock.advance(Duration.ofHours(1));
      assertThat(published.await(30, TimeUnit.SECONDS))
          .as("the dispatcher looks at the clock on its own")
          .isTrue();
    }
  }

  @Test
  void eachBucketIsPublishedOnItsOwn_inOrder() throws Exception {
    try (AuditLog log = log().demandBucket(Duration.ofMinutes(15)).build()) {
      log.searched("/search", "first", 1); // 10:15 bucket
      clock.advance(Duration.ofMinutes(15));
      log.searched("/search", "second", 1); // 10:30 bucket
      assertThat(flushed(log)).isTrue();
      assertThat(demand.events()).extracting(SearchDemandEvent::terms).containsExactly("first");
      clock.advance(Duration.ofHours(2));
      assertThat(flushed(log)).isTrue();
      assertThat(demand.events())
          .extracting(SearchDemandEvent::terms)
          .containsExactly("first", "second");
      assertThat(demand.events())
          .extracting(SearchDemandEvent::bucketStart)
          .containsExactly(
              Instant.parse("2026-03-04T10:15:00Z"), Instant.parse("2026-03-04T10:30:00Z"));
    }
  }

  @Test
  void searchAfterItsBucketWasPublished_isCountedInTheNextBucket_neverPublishedAlone()
      throws Exception {
    try (AuditLog log = log().build()) {
      log.searched("/search", "early", 1);
      clock.set(Instant.parse("2026-03-04T11:00:05Z"));
      assertThat(flushed(log)).isTrue();
      assertThat(demand.events()).hasSize(1);
      clock.set(Instant.parse("2026-03-04T10:59:59Z")); // the clock steps back
      log.searched("/search", "late", 1);
      assertThat(flushed(log)).isTrue();
      assertThat(demand.events())
          .as("the 10:00 bucket is not published a second time")
          .hasSize(1);
      clock.set(Instant.parse("2026-03-04T12:00:00Z"));
      assertThat(flushed(log)).isTrue();
      assertThat(demand.events().get(1).terms()).isEqualTo("late");
      assertThat(demand.events().get(1).bucketStart())
          .isEqualTo(Instant.parse("2026-03-04T11:00:00Z"));
    }
  }

  @Test
  void distinctTermsBeyondTheCap_areCountedAsOther_soMemoryStaysBounded() {
    try (AuditLog log = log().demandMaxTerms(3).build()) {
      for (int i = 0; i < 1000; i++) {
        log.searched("/search", "term " + i, i % 2);
      }
      log.searched("/search", "term 0", 1); // already held: still counted under its own terms
    }
    List<SearchDemandEvent> records = demand.events();
    assertThat(records)
        .extracting(SearchDemandEvent::terms)
        .containsExactly(SearchDemandEvent.OTHER_TERMS, "term 0", "term 1", "term 2");
    assertThat(records.get(0).searches()).isEqualTo(997);
    assertThat(records.get(0).withoutResults()).isEqualTo(498);
    assertThat(records.get(1).searches()).isEqualTo(2);
    assertThat(records.stream().mapToLong(SearchDemandEvent::searches).sum()).isEqualTo(1001);
  }

  @Test
  void termsBelowTheMinimumCount_arePublishedOnlyWithinOther() {
    try (AuditLog log = log().demandMinimumCount(2).build()) {
      log.searched("/search", "respite care", 1);
      log.searched("/search", "respite care", 1);
      log.searched("/search", "Quillfeather Lodge", 0);
      log.searched("/search", "nursing", 1);
    }
    assertThat(demand.events())
        .containsExactly(
            new SearchDemandEvent(
                SearchDemandEvent.OTHER_TERMS, 2, 1, "/search", HOUR, Duration.ofHours(1)),
            new SearchDemandEvent("respite care", 2, 0, "/search", HOUR, Duration.ofHours(1)));
    assertThat(demand.events().toString()).doesNotContain("quillfeather");
  }

  @Test
  void searched_refusesABadEndpointOrCount_andTheBuilderBadLimits() {
    try (AuditLog log = log().build()) {
      assertThatThrownBy(() -> log.searched("/search?q=x", "q", 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.searched("/search", "q", -1))
          .isInstanceOf(IllegalArgumentException.class);
      log.searched("/search", null, 0);
    }
    assertThat(demand.events())
        .containsExactly(new SearchDemandEvent("", 1, 1, "/search", HOUR, Duration.ofHours(1)));
    assertThatThrownBy(() -> log().demandMaxTerms(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> log().demandMaxTerms(1_000_001).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> log().demandMinimumCount(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> log().demandMinimumCount(1001).build())
        .isInstanceOf(IllegalStateException.class);
  }
}
