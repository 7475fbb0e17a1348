package dev.portcullis.examples.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.SearchDemandEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the search-demand log back and adding it up by day and by ISO week. */
class DemandSummaryTest {
  private static final Duration HOUR = Duration.ofHours(1);

  private static SearchDemandEvent record(String start, String terms, long searches, long none) {
    return new SearchDemandEvent(terms, searches, none, "/search", Instant.parse(start), HOUR);
  }

  @Test
  void days_addUpEveryTermAndHour_andFillDaysWithoutSearchesWithZero() {
    DemandSummary s = DemandSummary.of(List.of(
        record("2026-12-01T09:00:00Z", "home care", 3, 0),
        record("2026-12-01T23:00:00Z", "nursing", 2, 1),
        record("2026-12-03T00:00:00Z", "home care", 1, 0)));
    assertThat(s.days(LocalDate.parse("2026-11-30"), LocalDate.parse("2026-12-03")))
        .containsExactly(
            new DemandSummary.Day(LocalDate.parse("2026-11-30"), 0),
            new DemandSummary.Day(LocalDate.parse("2026-12-01"), 5),
            new DemandSummary.Day(LocalDate.parse("2026-12-02"), 0),
            new DemandSummary.Day(LocalDate.parse("2026-12-03"), 1));
  }

  @Test
  void weeks_areIsoWeeks_newestFirst_withTheMostSearchedTermsFirst() {
    DemandSummary s = DemandSummary.of(List.of(
        // Sunday 29 November 2026 is in week 48; Monday 30 November starts week 49.
        record("2026-11-29T23:00:00Z", "day centre", 4, 0),
        record("2026-11-30T00:00:00Z", "home care", 2, 0),
        record("2026-12-02T10:00:00Z", "home care", 1, 0),
        record("2026-12-02T10:00:00Z", "carers", 3, 3),
        record("2026-12-06T23:00:00Z", "advice", 3, 0),
        record("2026-12-06T23:00:00Z", SearchDemandEvent.OTHER_TERMS, 1, 1)));
    List<DemandSummary.Week> weeks = s.weeks(8, 2);
    assertThat(weeks).extracting(DemandSummary.Week::label).containsExactly("2026-W49", "2026-W48");
    DemandSummary.Week w49 = weeks.get(0);
    assertThat(w49.monday()).isEqualTo(LocalDate.parse("2026-11-30"));
    assertThat(w49.sunday()).isEqualTo(LocalDate.parse("2026-12-06"));
    assertThat(w49.searches()).isEqualTo(10);
    assertThat(w49.distinctTerms()).isEqualTo(4);
    // Three searches each: ties in order of the terms. The cut keeps the top two.
    assertThat(w49.terms())
        .containsExactly(
            new DemandSummary.TermCount("advice", 3, 0),
            new DemandSummary.TermCount("carers", 3, 3));
    assertThat(s.weeks(8, 10).get(0).terms())
        .extracting(DemandSummary.TermCount::terms)
        .containsExactly("advice", "carers", "home care", SearchDemandEvent.OTHER_TERMS);
    assertThat(s.weeks(1, 10)).hasSize(1);
  }

  @Test
  void weeks_crossingTheYear_takeTheWeekBasedYear() {
    DemandSummary s = DemandSummary.of(List.of(
        record("2027-01-01T10:00:00Z", "home care", 1, 0),
        record("2026-12-28T10:00:00Z", "home care", 1, 0),
        record("2027-01-04T10:00:00Z", "home care", 1, 0)));
    assertThat(s.weeks(8, 10))
        .extracting(DemandSummary.Week::label, DemandSummary.Week::searches)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("2027-W01", 1L),
            org.assertj.core.groups.Tuple.tuple("2026-W53", 2L));
  }

  @Test
  void demandLog_readsWhatTheSinkWrites_andCountsWhatIsNotARecord(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("search-demand.jsonl");
    SearchDemandEvent good = record("2026-12-01T09:00:00Z", "home care", 3, 1);
    Files.writeString(
        file,
        good + "\n"
            + "not json\n"
            + "{\"kind\":\"audit\",\"id\":\"x\"}\n"
            // Terms the log could not have written: not normalised.
            + good.toString().replace("home care", "Home Care") + "\n"
            + good.toString().replace("\"searches\":3", "\"searches\":0") + "\n"
            + good.toString().replace("\"searches\":3", "\"searches\":\"3\"") + "\n"
            // A record the sink is still writing.
            + good.toString().substring(0, 20),
        StandardCharsets.UTF_8);
    DemandLog.Reading reading = DemandLog.read(file);
    assertThat(reading.records()).containsExactly(good);
    assertThat(reading.unreadableLines()).isEqualTo(5);
    assertThat(DemandLog.read(dir.resolve("absent.jsonl")).records()).isEmpty();
  }

  @Test
  void chart_namesItselfAndDrawsOneBarPerDayWithSearches() {
    List<DemandSummary.Day> days = List.of(
        new DemandSummary.Day(LocalDate.parse("2026-12-01"), 2),
        new DemandSummary.Day(LocalDate.parse("2026-12-02"), 0),
        new DemandSummary.Day(LocalDate.parse("2026-12-03"), 5));
    String svg = DemandChart.svg(days, "c");
    assertThat(svg)
        .startsWith("<svg class=\"chart\" role=\"img\"")
        .contains("aria-labelledby=\"c-title c-desc\"")
        .contains(
            "<title id=\"c-title\">Searches per day, Tue 1 Dec 2026 to Thu 3 Dec 2026</title>")
        .contains("7 searches in all, the most (5) on Thu 3 Dec 2026")
        .doesNotContain("<script", "style=");
    assertThat(svg.split("<rect ", -1)).hasSize(3);
    assertThat(svg).contains("data-day=\"2026-12-03\" data-searches=\"5\"");
    assertThatThrownBy(() -> DemandChart.svg(List.of(), "c"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
