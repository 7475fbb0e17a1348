package dev.portcullis.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.benchmarks.PerformanceReport.Score;
import org.junit.jupiter.api.Test;

/** The report's arithmetic over rounds: comparisons within each round, then the median over the rounds. */
class PerformanceReportTest {
  private static Score rounds(double... means) {
    Score s = new Score(new double[] {means[0]}, 5, "ns/op");
    for (int i = 1; i < means.length; i++) {
      s = s.plus(new Score(new double[] {means[i]}, 7, "ns/op"));
    }
    return s;
  }

  @Test
  void added_isTheMedianOfTheDifferencesWithinEachRound() {
    // A slow second round moves both sides; the differences within the rounds are 100, 110, 400.
    Score portcullis = rounds(1_100, 2_110, 1_400);
    Score noop = rounds(1_000, 2_000, 1_000);

    assertThat(PerformanceReport.added(portcullis, noop)).isEqualTo(110);
    // The difference of the medians (1,400 - 1,000) would have read the outlier.
  }

  @Test
  void ratio_isTheMedianOfTheRatiosWithinEachRound() {
    Score portcullis = rounds(130, 260, 100);
    Score floor = rounds(100, 200, 50);

    assertThat(PerformanceReport.ratio(portcullis, floor)).isEqualTo(1.3);
  }

  @Test
  void show_givesTheMedianAndTheRangeOverRounds_orJmhsErrorForOne() {
    assertThat(rounds(1_500, 1_200, 1_690).show()).isEqualTo("1,500 ns/op (1,200 to 1,690)");
    assertThat(rounds(1_234).show()).isEqualTo("1,234 ± 5 ns/op");
  }

  @Test
  void anEvenNumberOfRounds_averagesTheMiddleTwo() {
    assertThat(PerformanceReport.added(rounds(10, 20, 30, 40), rounds(0, 0, 0, 0)))
        .isEqualTo(25);
  }

  @Test
  void scoresWithDifferentRounds_areRefused_notPairedWrongly() {
    // A benchmark that failed in one round has one score fewer than its baseline.
    assertThatThrownBy(() -> PerformanceReport.added(rounds(10, 20), rounds(0, 0, 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot be paired");
    assertThatThrownBy(() -> PerformanceReport.ratio(rounds(10, 20, 30), rounds(1, 1)))
        .isInstanceOf(IllegalStateException.class);
  }
}
