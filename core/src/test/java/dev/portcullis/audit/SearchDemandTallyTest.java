package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchDemandTallyTest {
  private static final Instant T = Instant.parse("2026-03-04T10:17:42Z");

  @Test
  void aClockJumpingAbout_opensNoMoreBucketsThanTheCap_andLosesNoSearch() {
    SearchDemandTally tally = new SearchDemandTally(Duration.ofHours(1), 5, 1);
    for (int i = 0; i < 1000; i++) {
      tally.add(T.plus(Duration.ofHours((i * 7919L) % 1000)), "/search", "care " + i, i % 3 == 0);
    }
    List<SearchDemandEvent> all = tally.takeAll();
    assertThat(all.stream().map(SearchDemandEvent::bucketStart).distinct())
        .hasSizeLessThanOrEqualTo(5);
    assertThat(all).hasSizeLessThanOrEqualTo(5 + 5);
    assertThat(all.stream().mapToLong(SearchDemandEvent::searches).sum()).isEqualTo(1000);
    assertThat(all.stream().mapToLong(SearchDemandEvent::withoutResults).sum()).isEqualTo(666);
    assertThat(tally.nextClose()).isNull();
    assertThat(tally.takeAll()).isEmpty();
  }

  @Test
  void takeClosed_takesOnlyBucketsThatEnded_andNextCloseNamesTheEarliestEnd() {
    SearchDemandTally tally = new SearchDemandTally(Duration.ofMinutes(30), 100, 1);
    tally.add(T, "/search", "a", true); // 10:00 bucket
    tally.add(T.plus(Duration.ofMinutes(30)), "/search", "b", true); // 10:30 bucket
    assertThat(tally.nextClose()).isEqualTo(Instant.parse("2026-03-04T10:30:00Z"));
    assertThat(tally.takeClosed(Instant.parse("2026-03-04T10:29:59.999Z"))).isEmpty();
    assertThat(tally.takeClosed(Instant.parse("2026-03-04T10:30:00Z")))
        .extracting(SearchDemandEvent::terms)
        .containsExactly("a");
    assertThat(tally.nextClose()).isEqualTo(Instant.parse("2026-03-04T11:00:00Z"));
  }
}
