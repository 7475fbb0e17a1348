package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.RecordingSearchDemandSink;
import org.junit.jupiter.api.Test;

class RecordingSearchDemandSinkTest {

  @Test
  void assertOnce_passesForExactlyOneMatch_andFailsForNoneOrTwo_listingWhatWasRecorded() {
    RecordingSearchDemandSink sink = new RecordingSearchDemandSink();
    sink.accept(Fixtures.demand("care homes", 2, 0));
    sink.accept(Fixtures.demand("care homes", 1, 1));
    sink.accept(Fixtures.demand("day centres", 5, 0));

    assertThat(sink.events()).hasSize(3);
    assertThat(sink.assertOnce(e -> e.searches() == 5).terms()).contains("day");
    assertThatThrownBy(() -> sink.assertOnce(e -> e.terms().contains("care")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("found 2")
        .hasMessageContaining("centres");
    assertThatThrownBy(() -> sink.assertOnce(e -> e.searches() == 9))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("found 0");
  }

  @Test
  void eventAfterClose_failsTheDelivery() {
    RecordingSearchDemandSink sink = new RecordingSearchDemandSink();
    sink.close();
    assertThat(sink.isClosed()).isTrue();
    assertThatThrownBy(() -> sink.accept(Fixtures.demand("q", 1, 0)))
        .isInstanceOf(IllegalStateException.class);
  }
}
