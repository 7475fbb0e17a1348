package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.RecordingSearchDemandSink;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecordingSearchDemandSinkTest {
  private static SearchDemandEvent search(String query, int results) {
    return SearchDemandEvent.of(query, results, "/search", Fixtures.T0, Duration.ofHours(1));
  }

  @Test
  void assertOnce_passesForExactlyOneMatch_andFailsForNoneOrTwo_listingWhatWasRecorded() {
    RecordingSearchDemandSink sink = new RecordingSearchDemandSink();
    sink.accept(search("care homes", 2));
    sink.accept(search("care homes", 0));
    sink.accept(search("day centres", 5));

    assertThat(sink.events()).hasSize(3);
    assertThat(sink.assertOnce(e -> e.resultCount() == 5).terms()).contains("day");
    assertThatThrownBy(() -> sink.assertOnce(e -> e.terms().contains("care")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("found 2").hasMessageContaining("centres");
    assertThatThrownBy(() -> sink.assertOnce(e -> e.resultCount() == 9))
        .isInstanceOf(AssertionError.class).hasMessageContaining("found 0");
  }

  @Test
  void eventAfterClose_failsTheDelivery() {
    RecordingSearchDemandSink sink = new RecordingSearchDemandSink();
    sink.close();
    assertThat(sink.isClosed()).isTrue();
    assertThatThrownBy(() -> sink.accept(search("q", 1))).isInstanceOf(IllegalStateException.class);
  }
}
